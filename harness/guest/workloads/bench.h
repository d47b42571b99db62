// vswap-guest bench: the wrapper the matrix runner boots every run with.
// It sets up the swap backend, runs one workload subcommand (with --json)
// in a fresh cgroup, and writes one JSON result: the workload's own figures
// and metrics, wall/user/sys time (getrusage and the cgroup's cpu.stat),
// /proc/vmstat and memory.stat deltas, cgroup peaks, and the vswap counters
// (peaks while it ran, and after the backend was torn down).
#pragma once

#include <string>
#include <vector>

namespace vswap {

int bench_main(int argc, char** argv);

// Metric names the bench adds to every workload's own (the host's catalogue
// compares a subset; a unit test keeps the two in step).
const std::vector<std::string>& bench_common_metric_names();

} // namespace vswap
