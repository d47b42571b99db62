// The QEMU command line for a guest, built from a description of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vswap {

enum class Accel { Tcg, Kvm };

struct GuestSpec {
    std::string qemu = "qemu-system-x86_64";
    std::filesystem::path kernel;
    std::filesystem::path initrd;
    std::string append; // extra kernel command line
    unsigned cpus = 1;
    uint64_t mem_bytes = 512ull << 20;
    Accel accel = Accel::Tcg;
    bool icount = false; // deterministic time: one vCPU, -icount shift=3,sleep=off
    std::vector<std::filesystem::path> disks; // raw images: /dev/vda, /dev/vdb, ...
    std::filesystem::path host_share = "/";   // read-only 9p, tag "hostroot"
    std::filesystem::path job_share;          // read-write 9p, tag "job"
    std::filesystem::path console_log;        // ttyS0: the kernel console
    std::filesystem::path stdout_log;         // ttyS1: the command's stdout
    std::filesystem::path stderr_log;         // ttyS2: the command's stderr
    std::vector<std::string> extra_args;      // appended last (VSWAP_QEMU_ARGS)
};

// Throws UserError for impossible combinations (icount with several vCPUs).
std::vector<std::string> qemu_command(const GuestSpec& spec);

} // namespace vswap
