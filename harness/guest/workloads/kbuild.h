// kbuild: compile a fixed set of kernel objects with the host's gcc and
// make (chroot /host), from a kit the host prepared (sources and headers of
// the pristine base commit and kbuild's compile commands), with sources and
// output on the ext4 scratch disk.
#pragma once

namespace vswap {

int kbuild_main(int argc, char** argv);

} // namespace vswap
