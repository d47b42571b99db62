// usemem: vm-scalability's memory workload, reimplemented with verification
// and per-page latencies.
//
// Flag meanings follow vm-scalability's usemem: -n processes, -O anonymous
// memory (else a private /dev/zero mapping), -R random page order, -y all
// processes finish writing before any reads back, -x all finish reading
// before any frees, --init-time reports the mapping's set-up time and leaves
// it out of the throughput. Each process then munmaps its memory, and the
// time of that (the free latency) is reported too.
#pragma once

namespace vswap {

int usemem_main(int argc, char** argv);

} // namespace vswap
