// swapoff(2) with a deadline. A swapoff that never returns is a kernel bug;
// in the agent, which swaps off every test's area, it would stop the whole
// guest without a word. Past the deadline the caller's kernel stack is
// taken, every CPU's backtrace goes to the console (sysrq-l), and swapoff
// is interrupted with a signal: it gives up at a pending signal (EINTR),
// so the run goes on and the test says why it failed.
#pragma once

#include <filesystem>
#include <string>

namespace vswap {

// Far above any swapoff the tests make (tens of MiB in seconds, even on
// the debug kernel under TCG).
inline constexpr double kSwapOffDeadlineS = 120;

struct SwapOffResult {
    int error = 0;       // errno of swapoff(2), 0 on success
    std::string overran; // when it missed the deadline: for how long, and its kernel stack
};

SwapOffResult swap_off_with_deadline(const std::filesystem::path& path,
                                     double deadline_s = kSwapOffDeadlineS);

} // namespace vswap
