// swapoff: fill swap to a given level from a process that also maps a large
// file, then time swapoff(2) of every active swap area: wall time and the
// kernel CPU it took. The filler then verifies that its data survived, and
// the areas are swapped on again.
#pragma once

namespace vswap {

int swapoff_main(int argc, char** argv);

} // namespace vswap
