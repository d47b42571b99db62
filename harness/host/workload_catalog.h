// The benchmark workloads: what each runs in the guest (a vswap-guest
// subcommand), the resources it needs, and the metrics that compare it.
#pragma once

#include "host/paths.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vswap {

enum class Direction { HigherIsBetter, LowerIsBetter, Neutral };

struct MetricSpec {
    std::string name; // key in the guest's "metrics" object
    std::string unit;
    Direction direction;
    std::string description;
};

struct WorkloadSpec {
    std::string name;
    std::string description;
    std::vector<std::string> args;        // vswap-guest ARGS (after "bench ... --")
    std::optional<uint64_t> memory_max;   // the workload cgroup's memory.max
    std::optional<uint64_t> swap_disk;    // size of the swap disk, when the backend wants one
    std::optional<uint64_t> scratch_disk; // an ext4 disk the workload itself needs
    bool needs_swap_device = false;       // meaningless without one (swapoff)
    // Host seconds before the guest is killed: several times the longest
    // run seen on a loaded host, so that a hung kernel costs minutes.
    double timeout_s = 240;
    double estimate_s = 20;          // host seconds per run, for the first ETA
    std::vector<MetricSpec> metrics; // workload-specific, in report order
};

const std::vector<WorkloadSpec>& all_workloads();
// Throws UserError naming the valid workloads.
const WorkloadSpec& find_workload(const std::string& name);
std::string workload_names();

// Metrics every workload reports (times, CPU, swap traffic).
const std::vector<MetricSpec>& common_metrics();
// The metrics compared for a workload: its own, then the common ones.
std::vector<MetricSpec> compared_metrics(const std::string& workload);
std::optional<MetricSpec> find_metric(const std::string& workload, const std::string& metric);

std::string direction_name(Direction d); // "higher is better", ...

} // namespace vswap
