// The kernel stack of a task, shortened to one line for a report: what a
// hung test process or a swapoff that does not return is doing.
#pragma once

#include <string>
#include <sys/types.h>

namespace vswap {

// "[<0>] folio_wait_bit+0x.../0x..." lines -> "folio_wait_bit < ..."
// (innermost first, at most `depth` functions).
std::string short_stack(const std::string& proc_stack, int depth = 8);

// short_stack() of /proc/PID/task/TID/stack; empty if it cannot be read.
std::string task_kernel_stack(pid_t pid, pid_t tid);

} // namespace vswap
