// The cgroup a benchmark workload runs in: made fresh under the root, with
// an optional memory.max, read for cpu.stat / memory.stat / peaks, and
// emptied and removed at the end.
#pragma once

#include "guest/sysfs.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

namespace vswap {

class WorkloadCgroup {
public:
    // Throws sysfs::SysfsError when cgroup v2 or the memory controller is
    // missing.
    WorkloadCgroup(const std::string& name, std::optional<uint64_t> memory_max);
    ~WorkloadCgroup();
    WorkloadCgroup(const WorkloadCgroup&) = delete;
    WorkloadCgroup& operator=(const WorkloadCgroup&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Moves the calling process in (for a child before exec).
    void enter() const;
    sysfs::Counters cpu_stat() const;    // usage_usec, user_usec, system_usec
    sysfs::Counters memory_stat() const; // memory.stat
    sysfs::Counters memory_events() const;
    // A one-number file that may be absent on older kernels.
    std::optional<uint64_t> read_number(const std::string& file) const;
    // Kills what is left in it and removes it; returns an error text or "".
    std::string destroy();

private:
    std::filesystem::path path_;
    bool destroyed_ = false;
};

} // namespace vswap
