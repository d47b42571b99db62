// vswap-guest hibernate-cycle: one whole hibernation, across two boots.
//
// Boot 1 (PHASE "suspend"): swap on the swap disk, write patterns over
// anonymous memory and a tmpfs file, push part of them out to swap, and
// hibernate in "shutdown" mode: the kernel writes the image to the swap
// disk, next to the swapped-out pages, and powers off.
// Boot 2 (PHASE "resume", with resume= on the kernel command line): the
// kernel restores the image, so the write to /sys/power/state returns in
// the process of boot 1, which verifies every page, swaps off and checks
// that the vswap counters return to 0. Reaching this program with PHASE
// "resume" means no image was restored.
//
// The outcome is one line on standard output (common/hibernate_protocol.h).
#pragma once

namespace vswap {

int hibernate_cycle_main(int argc, char** argv);

} // namespace vswap
