// A file descriptor closed when it goes out of scope.
#pragma once

#include <unistd.h>
#include <utility>

namespace vswap::tests {

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(Fd&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
    Fd& operator=(Fd&&) = delete;
    Fd(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0)
            close(fd);
    }
};

} // namespace vswap::tests
