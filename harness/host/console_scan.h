// Finds kernel splats (BUG, WARNING, KASAN, lockdep, RCU stalls, hung tasks,
// Oops, panic) in a serial console log.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vswap {

struct Splat {
    std::string kind; // "BUG", "WARNING", "KASAN", "lockdep", "RCU stall", ...
    size_t line = 0;  // 1-based line of the first matching line
    std::string text; // that line and the context after it
};

// Every splat in the log, in order. Lines that belong to the splat found
// just before (its report and stack trace) are not reported again.
std::vector<Splat> scan_console(std::string_view log, size_t context_lines = 12);

} // namespace vswap
