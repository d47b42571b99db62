#include "guest/tests/hang_report.h"

#include "common/text.h"
#include "guest/kernel_stack.h"
#include "guest/sysfs.h"

#include <chrono>
#include <set>
#include <thread>

namespace vswap::tests {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kLivelockFaultsPerSecond = 10000;

void collect_pids(const fs::path& cgroup, std::set<int>& pids) {
    std::error_code ec;
    if (!fs::is_directory(cgroup, ec))
        return;
    auto procs = sysfs::read_text_if_exists(cgroup / "cgroup.procs").value_or("");
    for (const auto& line : split_lines(procs))
        if (!trim(line).empty())
            pids.insert(std::stoi(line));
    for (const auto& entry : fs::directory_iterator(cgroup, ec))
        if (entry.is_directory(ec))
            collect_pids(entry.path(), pids);
}

struct Sample {
    std::string comm;
    char state = '?';
    uint64_t minflt = 0, majflt = 0;
};

std::optional<Sample> sample(int pid) {
    std::string stat;
    try {
        auto text = sysfs::read_text_if_exists("/proc/" + std::to_string(pid) + "/stat");
        if (!text)
            return std::nullopt;
        stat = *text;
    } catch (const sysfs::SysfsError&) {
        return std::nullopt;
    }
    // pid (comm) state ppid ... : comm may hold spaces, so split after ')'.
    auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos)
        return std::nullopt;
    Sample s;
    s.comm = stat.substr(open + 1, close - open - 1);
    std::vector<std::string> fields;
    for (const auto& f : split(trim(std::string_view(stat).substr(close + 1)), ' '))
        fields.push_back(f);
    if (fields.size() < 10)
        return std::nullopt;
    s.state = fields[0].empty() ? '?' : fields[0][0];
    s.minflt = std::stoull(fields[7]); // field 10 of stat
    s.majflt = std::stoull(fields[9]); // field 12
    return s;
}

std::string proc_text(int pid, const char* file) {
    try {
        return trim(
            sysfs::read_text_if_exists("/proc/" + std::to_string(pid) + "/" + file).value_or(""));
    } catch (const sysfs::SysfsError&) {
        return "";
    }
}

} // namespace

HangReport report_hang(const fs::path& cgroup) {
    std::set<int> pids;
    collect_pids(cgroup, pids);
    std::map<int, Sample> first;
    for (int pid : pids)
        if (auto s = sample(pid))
            first[pid] = *s;
    std::this_thread::sleep_for(std::chrono::seconds(1));

    HangReport report;
    bool blocked = false;
    for (const auto& [pid, before] : first) {
        auto now = sample(pid);
        if (!now)
            continue;
        const uint64_t faults = now->minflt + now->majflt - before.minflt - before.majflt;
        const std::string syscall = proc_text(pid, "syscall");
        const std::string stack = task_kernel_stack(pid, pid);
        const bool user = syscall == "running";
        std::string what = "pid " + std::to_string(pid) + " (" + now->comm + ") " + now->state;
        if (now->state == 'D') {
            blocked = true;
            what += " in " + proc_text(pid, "wchan") + ": " + stack;
        } else if (user && faults >= kLivelockFaultsPerSecond) {
            what += ", " + std::to_string(faults) +
                    " page faults/s in user mode without progress (fault livelock)";
        } else if (now->state == 'R') {
            what += user ? " in user mode" : " in the kernel: " + stack;
        } else {
            what += " waiting in " + proc_text(pid, "wchan");
        }
        report.processes.push_back({{"pid", pid},
                                    {"comm", now->comm},
                                    {"state", std::string(1, now->state)},
                                    {"faults_per_s", faults},
                                    {"syscall", syscall},
                                    {"wchan", proc_text(pid, "wchan")},
                                    {"stack", stack}});
        // The waiting parent of a stuck child says nothing; keep the rest.
        if (now->state != 'S' || faults >= kLivelockFaultsPerSecond)
            report.summary += (report.summary.empty() ? "" : "; ") + what;
    }
    if (blocked)
        sysfs::try_write_text("/proc/sysrq-trigger", "w"); // blocked tasks to the console
    if (report.summary.empty())
        report.summary = "every process of the test was sleeping";
    return report;
}

} // namespace vswap::tests
