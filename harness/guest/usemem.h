// usemem: vm-scalability's memory workload, reimplemented with verification.
#pragma once

namespace vswap {

int usemem_main(int argc, char** argv);

} // namespace vswap
