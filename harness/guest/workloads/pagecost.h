// pagecost: the kernel CPU that swapping costs per page, phase by phase.
//
// usemem's cgroup CPU mixes page-out, swap-in and free under memory
// pressure, where reclaim's choices follow I/O timing. pagecost drives each
// swap operation explicitly over a fixed set of pages and reads the
// thread's own CPU clock (exact, unlike the tick-sampled user/sys split)
// around it, so two kernels' figures compare operation by operation; their
// sum is the fair comparison, as a kernel may move work from one phase to
// another (vswap frees an entry zswap loaded at swap-in, not at munmap).
// Like any CPU clock it also counts interrupt work that lands while the
// thread runs, such as a disk's I/O completions during swap-in.
#pragma once

namespace vswap {

int pagecost_main(int argc, char** argv);

} // namespace vswap
