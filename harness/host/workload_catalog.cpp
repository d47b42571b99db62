#include "host/workload_catalog.h"

#include "common/error.h"

namespace vswap {
namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr auto Higher = Direction::HigherIsBetter;
constexpr auto Lower = Direction::LowerIsBetter;
constexpr auto Neutral = Direction::Neutral;

} // namespace

const std::vector<MetricSpec>& common_metrics() {
    static const std::vector<MetricSpec> metrics = {
        {"wall_s", "s", Lower, "wall time of the workload (guest clock)"},
        {"user_s", "s", Lower, "user CPU of the workload's processes (getrusage)"},
        {"sys_s", "s", Lower, "system CPU of the workload's processes (getrusage)"},
        {"cgroup_cpu_s", "s", Lower, "CPU charged to the workload's cgroup (cpu.stat usage_usec)"},
        {"irq_s", "s", Lower,
         "guest-wide hardirq and softirq time during the workload (/proc/stat), kept out of "
         "the CPU times above"},
        {"pswpout", "pages", Neutral, "pages written to a swap device (/proc/vmstat delta)"},
        {"pswpin", "pages", Neutral, "pages read from a swap device (/proc/vmstat delta)"},
        {"zswpout", "pages", Neutral, "pages stored in zswap (/proc/vmstat delta)"},
        {"zswpin", "pages", Neutral, "pages loaded from zswap (/proc/vmstat delta)"},
        {"zswpwb", "pages", Neutral, "pages written back from zswap (/proc/vmstat delta)"},
        {"pgmajfault", "faults", Neutral, "major faults (/proc/vmstat delta)"},
        {"memory_peak_mib", "MiB", Neutral, "peak memory of the workload's cgroup (memory.peak)"},
    };
    return metrics;
}

const std::vector<WorkloadSpec>& all_workloads() {
    static const std::vector<WorkloadSpec> workloads = [] {
        std::vector<WorkloadSpec> w;
        {
            WorkloadSpec s;
            s.name = "usemem";
            s.description = "2 processes write and verify 48 MiB each of anonymous memory under "
                            "a 32 MiB memory.max (vm-scalability's usemem -n 2 -O -y)";
            s.args = {"usemem", "-n", "2", "-O", "-y", "--init-time", "48M"};
            s.memory_max = 32 * MiB;
            s.swap_disk = 1024 * MiB;
            s.timeout_s = 240;
            s.estimate_s = 15;
            s.metrics = {
                {"throughput_mbps", "MB/s", Higher, "bytes written per second of wall time"},
                {"write_s", "s", Lower, "slowest process's write pass"},
                {"verify_s", "s", Lower, "slowest process's read-and-verify pass"},
                {"free_s", "s", Lower, "slowest process's munmap (free latency)"},
                {"write_p50_us", "us", Lower, "median time to write one page"},
                {"write_p99_us", "us", Lower, "99th percentile time to write one page"},
                {"verify_p50_us", "us", Lower, "median time to read back one page"},
                {"verify_p99_us", "us", Lower, "99th percentile time to read back one page"},
            };
            w.push_back(s);
            // Reviewers' case of random access by many processes, scaled
            // down: no readahead helps, every process faults on its own.
            s.name = "usemem-random";
            s.description = "4 processes write and verify 24 MiB each of anonymous memory in "
                            "random page order under a 32 MiB memory.max (vm-scalability's "
                            "usemem -n 4 -R -O -y)";
            s.args = {"usemem", "-n", "4", "-R", "-O", "-y", "--init-time", "24M"};
            s.estimate_s = 30;
            w.push_back(s);
        }
        {
            WorkloadSpec s;
            s.name = "swapoff";
            s.description = "fill half the 128 MiB swap while a 128 MiB file is mapped, "
                            "then time swapoff";
            s.args = {"swapoff", "--level", "50", "--file-size", "128M"};
            s.swap_disk = 128 * MiB;
            s.scratch_disk = 512 * MiB;
            s.needs_swap_device = true;
            s.timeout_s = 240;
            s.estimate_s = 15;
            s.metrics = {
                {"swapoff_s", "s", Lower, "wall time of the swapoff() call"},
                {"swapoff_sys_s", "s", Lower, "kernel CPU of the swapoff() call"},
                {"swapped_mib", "MiB", Neutral, "swap area space in use when swapoff started"},
                {"process_swapped_mib", "MiB", Neutral,
                 "the filler's VmSwap (with vswap, zswap and zero pages use no area space)"},
                {"fill_s", "s", Lower, "time to page the filler's memory out (MADV_PAGEOUT)"},
            };
            w.push_back(s);
        }
        {
            WorkloadSpec s;
            s.name = "kbuild";
            s.description = "compile mm/page_io.o of the pristine tree with kbuild's flags and "
                            "gcc from the host root (9p chroot), sources and output on ext4, "
                            "under a 48 MiB memory.max";
            s.args = {"kbuild", "--jobs", "1"}; // the kit path is appended by the runner
            s.memory_max = 48 * MiB;
            s.swap_disk = 1024 * MiB;
            s.scratch_disk = 512 * MiB;
            s.timeout_s = 300;
            s.estimate_s = 25;
            s.metrics = {
                {"build_s", "s", Lower, "wall time of make"},
            };
            w.push_back(s);
        }
        {
            WorkloadSpec s;
            s.name = "pageswap";
            s.description = "stress-ng --pageswap 1 for 5 s (guest clock) with --metrics";
            s.args = {"pageswap", "--seconds", "5"};
            s.swap_disk = 1024 * MiB;
            s.timeout_s = 240;
            s.estimate_s = 12;
            s.metrics = {
                {"bogo_ops_per_s", "ops/s", Higher, "stress-ng bogo ops per second (real time)"},
                {"bogo_ops", "ops", Higher, "stress-ng bogo ops in the run"},
                {"cpu_ms_per_op", "ms", Lower,
                 "the cgroup's CPU time per bogo op (a faster kernel does more ops in the "
                 "5 s, and spends more CPU on them)"},
            };
            w.push_back(s);
        }
        {
            WorkloadSpec s;
            s.name = "pagecost";
            s.description =
                "32 MiB of compressible pages paged out with MADV_PAGEOUT, dropped from the "
                "swap cache, faulted back in and freed swapped out, each step timed "
                "by the thread's exact CPU clock";
            s.args = {"pagecost", "32M"};
            s.swap_disk = 1024 * MiB;
            s.timeout_s = 180;
            s.estimate_s = 10;
            s.metrics = {
                {"pageout_ns", "ns/page", Lower, "CPU of MADV_PAGEOUT, per page"},
                {"drop_ns", "ns/page", Lower,
                 "CPU of memory.reclaim freeing the swap cache, per page"},
                {"swapin_ns", "ns/page", Lower, "CPU of a read fault that swaps the page in"},
                {"free_ns", "ns/page", Lower, "CPU of munmap over swapped-out pages, per page"},
                {"total_ns", "ns/page", Lower,
                 "the four above together (a kernel may move work between them)"},
            };
            w.push_back(s);
        }
        {
            WorkloadSpec s;
            s.name = "samefill";
            s.description = "64 MiB of pages, alternately zero and one repeated word, paged out "
                            "with MADV_PAGEOUT and read back";
            s.args = {"samefill", "64M"};
            s.swap_disk = 1024 * MiB;
            s.timeout_s = 180;
            s.estimate_s = 10;
            s.metrics = {
                {"pageout_s", "s", Lower, "time of MADV_PAGEOUT over the mapping"},
                {"readback_s", "s", Lower, "time to read back and verify every page"},
                {"readback_p99_us", "us", Lower, "99th percentile time to read back one page"},
            };
            w.push_back(s);
        }
        return w;
    }();
    return workloads;
}

std::string workload_names() {
    std::string names;
    for (const auto& w : all_workloads())
        names += (names.empty() ? "" : ", ") + w.name;
    return names;
}

const WorkloadSpec& find_workload(const std::string& name) {
    for (const auto& w : all_workloads()) {
        if (w.name == name)
            return w;
    }
    throw UserError("unknown workload '" + name + "'", "choose one of: " + workload_names());
}

std::vector<MetricSpec> compared_metrics(const std::string& workload) {
    std::vector<MetricSpec> metrics = find_workload(workload).metrics;
    const auto& common = common_metrics();
    metrics.insert(metrics.end(), common.begin(), common.end());
    return metrics;
}

std::optional<MetricSpec> find_metric(const std::string& workload, const std::string& metric) {
    for (const auto& m : compared_metrics(workload)) {
        if (m.name == metric)
            return m;
    }
    return std::nullopt;
}

std::string direction_name(Direction d) {
    switch (d) {
    case Direction::HigherIsBetter:
        return "higher is better";
    case Direction::LowerIsBetter:
        return "lower is better";
    case Direction::Neutral:
        return "informational";
    }
    return "?";
}

} // namespace vswap
