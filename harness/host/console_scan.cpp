#include "host/console_scan.h"

#include "common/text.h"

#include <array>

namespace vswap {
namespace {

struct Pattern {
    std::string_view needle;
    std::string_view kind;
};

// Order matters: the first needle found on a line names its kind.
constexpr std::array kPatterns = {
    Pattern{"BUG: KASAN:", "KASAN"},
    Pattern{"KASAN:", "KASAN"},
    Pattern{"possible circular locking dependency", "lockdep"},
    Pattern{"possible recursive locking detected", "lockdep"},
    Pattern{"inconsistent lock state", "lockdep"},
    Pattern{"suspicious RCU usage", "lockdep"},
    Pattern{"DEBUG_LOCKS_WARN_ON", "lockdep"},
    Pattern{"detected stalls on CPUs", "RCU stall"},
    Pattern{"self-detected stall on CPU", "RCU stall"},
    Pattern{"blocked for more than", "hung task"},
    Pattern{"BUG: soft lockup", "soft lockup"},
    Pattern{"Kernel panic", "panic"},
    Pattern{"Oops:", "Oops"},
    Pattern{"general protection fault", "Oops"},
    Pattern{"Unable to handle kernel", "Oops"},
    Pattern{"kernel BUG at", "BUG"},
    Pattern{"BUG:", "BUG"},
    Pattern{"WARNING:", "WARNING"},
};

const Pattern* match(std::string_view line) {
    for (const auto& p : kPatterns) {
        if (line.find(p.needle) != std::string_view::npos)
            return &p;
    }
    return nullptr;
}

} // namespace

std::vector<Splat> scan_console(std::string_view log, size_t context_lines) {
    std::vector<Splat> splats;
    auto lines = split_lines(log);
    size_t covered_until = 0; // lines before this belong to the previous splat
    for (size_t i = 0; i < lines.size(); ++i) {
        const Pattern* p = match(lines[i]);
        if (!p || i < covered_until)
            continue;
        Splat s{std::string(p->kind), i + 1, {}};
        size_t end = std::min(lines.size(), i + 1 + context_lines);
        for (size_t j = i; j < end; ++j)
            s.text += lines[j] + (j + 1 < end ? "\n" : "");
        covered_until = end;
        splats.push_back(std::move(s));
    }
    return splats;
}

} // namespace vswap
