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
    // Descendants still running when the program exited (stress-ng gives up
    // on a stressor that overruns its timeout and leaves it behind).
    int stragglers = 0;
    int stragglers_killed = 0;    // of those, still running after kStragglerWaitS
    std::string describe() const; // "exit status 2", "killed by signal 9 (Killed)"
};

// How long run_in_host_root() waits for stragglers before it kills them.
inline constexpr double kStragglerWaitS = 60;

// Runs argv inside `chroot /host` with its stdout sent to our stderr (our
// stdout carries the JSON result), and waits for it and for every process
// it left running: the caller is made their subreaper, so their CPU time
// reaches the caller's getrusage(RUSAGE_CHILDREN) and its parent's wait4().
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
