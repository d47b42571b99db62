// Running the host's tools (stress-ng, make, gcc) from the guest: the host
// root is mounted read-only at /host, with /proc, /sys, /dev and a tmpfs
// /tmp inside, and programs run there with chroot.
#pragma once

#include <string>
#include <vector>

namespace vswap {

inline constexpr const char* kHostRoot = "/host";

struct HostRun {
    int exit_code = -1; // -1 when killed by a signal
    int signal = 0;
    double wall_s = 0;
    std::string describe() const; // "exit status 2", "killed by signal 9 (Killed)"
};

// Runs argv inside `chroot /host` with its stdout sent to our stderr (our
// stdout carries the JSON result), and waits for it.
HostRun run_in_host_root(const std::vector<std::string>& argv);

// Runs argv in the guest's own root (found through PATH) with its stdout
// sent to our stderr, and waits for it: its exit status, 128 + the signal
// when killed.
int run_in_guest(const std::vector<std::string>& argv);

// Whether /host holds `program` (an absolute path inside the host root).
bool host_has(const std::string& program);

// Remounts the host root with cache=loose (init mounts it uncached), with
// /proc, /sys, /dev and /tmp inside as before. Uncached, every page of a
// program that is mapped again is read over 9p, and under icount each round
// trip adds idle guest time: a compile took 22 s of guest time uncached and
// 0.9 s cached. Returns an error text, empty on success or when it already
// is cached. Nothing may hold a file of /host open.
std::string cache_host_root();

} // namespace vswap
