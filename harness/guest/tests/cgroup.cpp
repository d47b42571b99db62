#include "guest/tests/cgroup.h"

#include "common/text.h"
#include "guest/tests/framework.h"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <signal.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace vswap::tests {
namespace fs = std::filesystem;

void enable_memory_controller(const fs::path& path) {
    auto current = sysfs::read_text(path / "cgroup.subtree_control");
    if (current.find("memory") == std::string::npos)
        sysfs::write_text(path / "cgroup.subtree_control", "+memory");
}

namespace {

bool has_processes(const fs::path& path) {
    auto procs = sysfs::read_text_if_exists(path / "cgroup.procs");
    return procs && !trim(*procs).empty();
}

void kill_processes(const fs::path& path) {
    if (sysfs::try_write_text(path / "cgroup.kill", "1") == 0)
        return;
    // Kernels without cgroup.kill: signal each process.
    auto procs = sysfs::read_text_if_exists(path / "cgroup.procs").value_or("");
    for (const auto& line : split_lines(procs))
        if (!trim(line).empty())
            kill(std::stoi(line), SIGKILL);
}

} // namespace

std::string destroy_cgroup_tree(const fs::path& path, double timeout_s) {
    std::error_code ec;
    if (!fs::is_directory(path, ec))
        return {};
    for (const auto& entry : fs::directory_iterator(path, ec))
        if (entry.is_directory(ec))
            if (auto error = destroy_cgroup_tree(entry.path(), timeout_s); !error.empty())
                return error;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (has_processes(path)) {
        kill_processes(path);
        if (std::chrono::steady_clock::now() > deadline)
            return "processes of " + path.string() + " did not exit within " +
                   std::to_string(int(timeout_s)) + " s";
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // rmdir can briefly fail with EBUSY while the last task is being reaped.
    while (rmdir(path.c_str()) != 0) {
        if (errno == ENOENT)
            break;
        if (errno != EBUSY || std::chrono::steady_clock::now() > deadline)
            return "cannot remove cgroup " + path.string() + ": " + std::strerror(errno);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
}

Cgroup::Cgroup(const fs::path& parent, const std::string& name) : path_(parent / name) {
    if (fs::exists(path_))
        destroy_cgroup_tree(path_);
    if (mkdir(path_.c_str(), 0755) != 0)
        fail("cannot create cgroup " + path_.string() + ": " + std::strerror(errno));
}

Cgroup::~Cgroup() {
    auto error = destroy_cgroup_tree(path_);
    if (!error.empty())
        std::fprintf(stderr, "vswap-guest: %s\n", error.c_str());
}

void Cgroup::set(const std::string& file, const std::string& value) const {
    try {
        sysfs::write_text(path_ / file, value);
    } catch (const sysfs::SysfsError& e) {
        fail(e.what());
    }
}

uint64_t Cgroup::read(const std::string& file) const {
    try {
        auto text = trim(sysfs::read_text(path_ / file));
        if (text == "max")
            return UINT64_MAX;
        return sysfs::read_u64(path_ / file);
    } catch (const sysfs::SysfsError& e) {
        fail(e.what());
    }
}

sysfs::Counters Cgroup::stat() const {
    return sysfs::read_key_values(path_ / "memory.stat");
}

sysfs::Counters Cgroup::events() const {
    return sysfs::read_key_values(path_ / "memory.events");
}

void Cgroup::add(pid_t pid) const {
    move_to_cgroup(path_, pid);
}

void move_to_cgroup(const fs::path& path, pid_t pid) {
    int error = sysfs::try_write_text(path / "cgroup.procs", std::to_string(pid ? pid : getpid()));
    if (error)
        fail("cannot move process into " + path.string() + ": " + std::strerror(error));
}

} // namespace vswap::tests
