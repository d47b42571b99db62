#include "host/progress.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace vswap {

Progress::Progress()
    : start_(std::chrono::steady_clock::now()),
      interactive_(isatty(STDERR_FILENO) && !std::getenv("CI")) {}

double Progress::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::info(const std::string& message) {
    if (quiet_)
        return;
    end_status();
    std::fprintf(stderr, "vswap: [%6.1fs] %s\n", elapsed(), message.c_str());
}

void Progress::warn(const std::string& message) {
    end_status();
    std::fprintf(stderr, "vswap: warning: %s\n", message.c_str());
}

void Progress::status(const std::string& message) {
    if (quiet_)
        return;
    if (interactive_) {
        std::fprintf(stderr, "\r\033[Kvswap: [%6.1fs] %s", elapsed(), message.c_str());
        std::fflush(stderr);
        status_shown_ = true;
        return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_plain_status_ >= std::chrono::seconds(30)) {
        last_plain_status_ = now;
        std::fprintf(stderr, "vswap: [%6.1fs] %s\n", elapsed(), message.c_str());
    }
}

void Progress::end_status() {
    if (status_shown_) {
        std::fprintf(stderr, "\r\033[K");
        status_shown_ = false;
    }
}

} // namespace vswap
