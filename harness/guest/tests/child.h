// Child processes for the functional tests: a function or a program run
// in a forked process (optionally inside a cgroup), waited for with a
// timeout, killed if it overruns. A test failure thrown in the child comes
// back to the parent as ChildExit::message.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <sys/mman.h>
#include <sys/types.h>
#include <vector>

namespace vswap::tests {

struct ChildExit {
    bool timed_out = false;
    int code = -1;       // exit code, -1 when killed by a signal
    int signal = 0;      // the killing signal
    std::string message; // the reason thrown in the child, if any
    bool ok() const { return !timed_out && code == 0; }
    bool killed_by(int sig) const { return !timed_out && signal == sig; }
    std::string describe() const;
};

class ChildProcess {
public:
    // Forks; the child joins `cgroup` (when given), runs `body` and exits
    // with its return value (1 and the reason when it throws).
    explicit ChildProcess(const std::function<int()>& body,
                          const std::filesystem::path& cgroup = {});
    // Forks and execs argv[0] (a path) with stdout and stderr to `output`
    // (when given, else inherited).
    static ChildProcess exec(const std::vector<std::string>& argv,
                             const std::filesystem::path& cgroup = {},
                             const std::filesystem::path& output = {});
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ~ChildProcess(); // kills and reaps a child still running

    pid_t pid() const { return pid_; }
    std::optional<ChildExit> poll();  // without blocking
    ChildExit wait(double timeout_s); // SIGKILL on timeout
    void kill(int signal);

private:
    ChildProcess() = default;
    ChildExit finish(int status);

    pid_t pid_ = -1;
    char* message_ = nullptr; // shared page for the child's failure text
    std::optional<ChildExit> exit_;
};

// A block of memory shared with forked children (atomics, flags, reports).
template <class T> class Shared {
public:
    Shared() {
        void* p =
            mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            throw std::bad_alloc();
        value_ = new (p) T{};
    }
    ~Shared() { munmap(value_, sizeof(T)); }
    Shared(const Shared&) = delete;
    T* operator->() const { return value_; }
    T& operator*() const { return *value_; }

private:
    T* value_;
};

// Fails the test unless the child was OOM-killed (SIGKILL) rather than
// hanging or exiting; `what` names the run in the message.
void require_oom_killed(const ChildExit& exit, const std::string& what);

// Sleeps until `done()` is true or the time runs out; returns done().
bool wait_until(const std::function<bool()>& done, double timeout_s, double step_s = 0.02);

} // namespace vswap::tests
