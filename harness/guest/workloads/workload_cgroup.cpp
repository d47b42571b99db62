#include "guest/workloads/workload_cgroup.h"

#include "common/text.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace vswap {
namespace fs = std::filesystem;

WorkloadCgroup::WorkloadCgroup(const std::string& name, std::optional<uint64_t> memory_max)
    : path_(fs::path("/sys/fs/cgroup") / name) {
    // Controllers must be enabled in the parent before a child can use them.
    sysfs::write_text("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
    if (fs::exists(path_))
        rmdir(path_.c_str()); // a leftover from a run that was killed
    if (mkdir(path_.c_str(), 0755) != 0)
        throw sysfs::SysfsError("cannot create the cgroup " + path_.string() + ": " +
                                    std::strerror(errno),
                                path_, errno);
    if (memory_max)
        sysfs::write_text(path_ / "memory.max", std::to_string(*memory_max));
}

WorkloadCgroup::~WorkloadCgroup() {
    destroy();
}

void WorkloadCgroup::enter() const {
    sysfs::write_text(path_ / "cgroup.procs", "0");
}

sysfs::Counters WorkloadCgroup::cpu_stat() const {
    return sysfs::read_key_values(path_ / "cpu.stat");
}

sysfs::Counters WorkloadCgroup::memory_stat() const {
    return sysfs::read_key_values(path_ / "memory.stat");
}

sysfs::Counters WorkloadCgroup::memory_events() const {
    return sysfs::read_key_values(path_ / "memory.events");
}

std::optional<uint64_t> WorkloadCgroup::read_number(const std::string& file) const {
    auto text = sysfs::read_text_if_exists(path_ / file);
    if (!text)
        return std::nullopt;
    std::string t = trim(*text);
    if (t == "max")
        return UINT64_MAX;
    try {
        return std::stoull(t);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string WorkloadCgroup::destroy() {
    if (destroyed_)
        return {};
    destroyed_ = true;
    sysfs::try_write_text(path_ / "cgroup.kill", "1");
    for (int i = 0; i < 500; ++i) { // up to 5 s for the killed processes to go
        if (rmdir(path_.c_str()) == 0 || errno == ENOENT)
            return {};
        usleep(10000);
    }
    return "cannot remove the cgroup " + path_.string() + ": " + std::strerror(errno);
}

} // namespace vswap
