// Boot a kernel variant in QEMU and run a command in it.
#pragma once

#include "host/boot_result.h"
#include "host/paths.h"
#include "host/progress.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vswap {

struct BootRequest {
    std::string kernel; // variant
    uint64_t mem_bytes = 512ull << 20;
    unsigned cpus = 2;
    std::optional<uint64_t> swap_disk; // /dev/vda, unformatted
    // An existing image to attach as /dev/vda instead, kept after the boot
    // (a hibernation image outlives the boot that wrote it).
    std::filesystem::path swap_disk_image;
    std::optional<uint64_t> scratch_disk; // /dev/vdb (or vda without a swap disk), ext4
    bool icount = false;
    std::string accel = "auto"; // auto, tcg, kvm
    double timeout_s = 600;
    std::string append;               // extra kernel command line
    std::vector<std::string> command; // one word: a shell line; several: argv
    // Without the 9p shares (job and host root), /init runs no command:
    // `append` tells it what to do, and no exit status comes back.
    bool shares = true;
    bool stream = true; // forward the command's output live
};

// Throws UserError when the guest cannot be started (no image, no QEMU);
// everything that happens once it runs is in the result.
BootResult boot_guest(const Paths& paths, const BootRequest& request, Progress& progress);

} // namespace vswap
