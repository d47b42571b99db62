#include "guest/tests/child.h"

#include "guest/tests/cgroup.h"
#include "guest/tests/framework.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace vswap::tests {
namespace {

constexpr size_t kMessageBytes = 4096;

char* shared_message() {
    void* p =
        mmap(nullptr, kMessageBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        fail(std::string("mmap: ") + std::strerror(errno));
    return static_cast<char*>(p);
}

} // namespace

std::string ChildExit::describe() const {
    if (timed_out)
        return "timed out";
    std::string text =
        signal ? "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")"
               : "exited with status " + std::to_string(code);
    if (!message.empty())
        text += ": " + message;
    return text;
}

ChildProcess::ChildProcess(const std::function<int()>& body, const std::filesystem::path& cgroup) {
    message_ = shared_message();
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ < 0)
        fail(std::string("fork: ") + std::strerror(errno));
    if (pid_ > 0)
        return;
    int code = 1;
    try {
        if (!cgroup.empty())
            move_to_cgroup(cgroup);
        code = body();
    } catch (const std::exception& e) {
        std::snprintf(message_, kMessageBytes, "%s", e.what());
    }
    std::fflush(nullptr);
    _exit(code);
}

ChildProcess ChildProcess::exec(const std::vector<std::string>& argv,
                                const std::filesystem::path& cgroup,
                                const std::filesystem::path& output) {
    ChildProcess child;
    child.message_ = shared_message();
    std::fflush(nullptr);
    child.pid_ = fork();
    if (child.pid_ < 0)
        fail(std::string("fork: ") + std::strerror(errno));
    if (child.pid_ > 0)
        return child;
    if (!cgroup.empty() &&
        sysfs::try_write_text(cgroup / "cgroup.procs", std::to_string(getpid())) != 0) {
        std::snprintf(child.message_, kMessageBytes, "cannot join cgroup %s", cgroup.c_str());
        _exit(126);
    }
    if (!output.empty()) {
        int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(1, 2) < 0) {
            std::snprintf(child.message_, kMessageBytes, "cannot open %s", output.c_str());
            _exit(126);
        }
    }
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::snprintf(child.message_, kMessageBytes, "cannot run %s: %s", args[0],
                  std::strerror(errno));
    _exit(127);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), message_(std::exchange(other.message_, nullptr)),
      exit_(std::move(other.exit_)) {}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !exit_) {
        ::kill(pid_, SIGKILL);
        int status;
        waitpid(pid_, &status, 0);
    }
    if (message_)
        munmap(message_, kMessageBytes);
}

ChildExit ChildProcess::finish(int status) {
    ChildExit e;
    if (WIFSIGNALED(status))
        e.signal = WTERMSIG(status);
    else
        e.code = WEXITSTATUS(status);
    if (message_)
        e.message = message_;
    exit_ = e;
    return e;
}

std::optional<ChildExit> ChildProcess::poll() {
    if (exit_)
        return exit_;
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_)
        return finish(status);
    return std::nullopt;
}

ChildExit ChildProcess::wait(double timeout_s) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto e = poll())
            return *e;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (auto e = poll())
        return *e;
    ::kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
    ChildExit e = finish(status);
    e.timed_out = true;
    exit_ = e;
    return e;
}

void ChildProcess::kill(int signal) {
    if (pid_ > 0 && !exit_)
        ::kill(pid_, signal);
}

bool wait_until(const std::function<bool()>& done, double timeout_s, double step_s) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline)
            return done();
        std::this_thread::sleep_for(std::chrono::duration<double>(step_s));
    }
    return true;
}

void require_oom_killed(const ChildExit& exit, const std::string& what) {
    require(!exit.timed_out, what + ": the workload hung instead of being OOM-killed");
    require(exit.killed_by(SIGKILL),
            what + ": expected an OOM kill, but the workload " + exit.describe());
}

} // namespace vswap::tests
