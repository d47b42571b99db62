// Memory cgroups (v2) for the functional tests: made on construction,
// emptied (cgroup.kill) and removed on destruction.
#pragma once

#include "guest/sysfs.h"

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace vswap::tests {

inline constexpr const char* kCgroupMount = "/sys/fs/cgroup";

// Enables the memory controller for the children of `path`.
void enable_memory_controller(const std::filesystem::path& path);
// Kills every process in the cgroup tree below `path` and removes it.
// Returns an error text, empty on success.
std::string destroy_cgroup_tree(const std::filesystem::path& path, double timeout_s = 10);

class Cgroup {
public:
    Cgroup(const std::filesystem::path& parent, const std::string& name);
    ~Cgroup();
    Cgroup(const Cgroup&) = delete;
    Cgroup& operator=(const Cgroup&) = delete;

    const std::filesystem::path& path() const { return path_; }
    void set(const std::string& file, const std::string& value) const;
    // A one-number file; "max" reads as UINT64_MAX.
    uint64_t read(const std::string& file) const;
    sysfs::Counters stat() const;   // memory.stat
    sysfs::Counters events() const; // memory.events
    void add(pid_t pid) const;

private:
    std::filesystem::path path_;
};

// Moves `pid` (0: the calling process) into the cgroup at `path`.
void move_to_cgroup(const std::filesystem::path& path, pid_t pid = 0);

} // namespace vswap::tests
