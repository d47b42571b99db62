// samefill: pages that are all zero or one repeated word, paged out with
// MADV_PAGEOUT and read back. It exercises the kernel's same-filled and
// zero-page handling (the swap zeromap in 6.12, vswap's zero backing).
#pragma once

namespace vswap {

int samefill_main(int argc, char** argv);

} // namespace vswap
