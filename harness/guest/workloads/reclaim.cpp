#include "guest/workloads/reclaim.h"

#include "common/text.h"
#include "guest/sysfs.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace vswap {

std::string reclaim_own_cgroup(uint64_t bytes, uint64_t* left) {
    std::string path;
    for (const auto& line : split_lines(sysfs::read_text("/proc/self/cgroup"))) {
        if (line.rfind("0::", 0) == 0)
            path = line.substr(3);
    }
    if (path.empty())
        return "not in a cgroup v2 hierarchy (/proc/self/cgroup)";
    const std::string file = "/sys/fs/cgroup" + (path == "/" ? "" : path) + "/memory.reclaim";
    uint64_t cached = 0;
    for (int round = 0; round < 100; ++round) {
        int error = sysfs::try_write_text(file, std::to_string(bytes));
        if (error && error != EAGAIN)
            return "cannot write " + file + ": " + std::strerror(error);
        auto meminfo = sysfs::read_meminfo();
        cached = meminfo.count("SwapCached") ? meminfo.at("SwapCached") : 0;
        if (cached <= bytes / 100)
            break;
        usleep(20000);
    }
    if (left)
        *left = cached;
    return {};
}

uint64_t vm_swap_bytes() {
    for (const auto& line : split_lines(sysfs::read_text("/proc/self/status"))) {
        if (line.rfind("VmSwap:", 0) == 0)
            return std::stoull(trim(line.substr(7))) * 1024;
    }
    return 0;
}

} // namespace vswap
