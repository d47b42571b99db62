// The guest's initramfs: busybox-static, vswap-guest and /init.
#pragma once

#include "host/paths.h"
#include "host/progress.h"

#include <filesystem>

namespace vswap {

inline constexpr const char* kBusybox = "/bin/busybox";

// build/guest/initramfs.cpio, rebuilt when busybox, vswap-guest or the init
// script changed.
std::filesystem::path ensure_initramfs(const Paths& paths, Progress& progress);

} // namespace vswap
