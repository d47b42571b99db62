#include "guest/kernel_stack.h"

#include "common/text.h"
#include "guest/sysfs.h"

namespace vswap {

std::string short_stack(const std::string& proc_stack, int depth) {
    std::string out;
    int n = 0;
    for (const auto& line : split_lines(proc_stack)) {
        auto start = line.find("] ");
        std::string fn = start == std::string::npos ? line : line.substr(start + 2);
        fn = fn.substr(0, fn.find('+'));
        if (fn.empty())
            continue;
        out += (out.empty() ? "" : " < ") + fn;
        if (++n == depth)
            break;
    }
    return out;
}

std::string task_kernel_stack(pid_t pid, pid_t tid) {
    try {
        return short_stack(sysfs::read_text_if_exists("/proc/" + std::to_string(pid) + "/task/" +
                                                      std::to_string(tid) + "/stack")
                               .value_or(""));
    } catch (const sysfs::SysfsError&) {
        return "";
    }
}

} // namespace vswap
