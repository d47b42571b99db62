// Progress lines on stderr: "vswap: [  12.3s] message". On a terminal a
// long step also gets a live status line; in CI (or when piped) only plain
// lines are printed.
#pragma once

#include <chrono>
#include <string>

namespace vswap {

class Progress {
public:
    Progress();
    void info(const std::string& message);
    void warn(const std::string& message);
    // A transient status for long steps (overwritten in place on a terminal,
    // printed at most every `plain_interval` otherwise).
    void status(const std::string& message);
    void end_status();
    double elapsed() const;
    bool interactive() const { return interactive_; }
    void set_quiet(bool quiet) { quiet_ = quiet; }

private:
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_plain_status_{};
    bool interactive_;
    bool status_shown_ = false;
    bool quiet_ = false;
};

} // namespace vswap
