#include "common/process.h"

#include "common/error.h"
#include "common/text.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace vswap {
namespace {

ExitStatus decode(int wstatus) {
    ExitStatus status;
    if (WIFEXITED(wstatus))
        status.code = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus))
        status.signal = WTERMSIG(wstatus);
    return status;
}

// Only async-signal-safe calls between fork() and exec().
[[noreturn]] void exec_child(const std::vector<std::string>& argv, const RunOptions& options,
                             int capture_fd, char* const* envp) {
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0)
        _exit(127);
    int out = -1;
    switch (options.output) {
    case Output::Inherit:
        break;
    case Output::Capture:
        out = capture_fd;
        break;
    case Output::File:
        out = open(options.output_file.c_str(),
                   O_WRONLY | O_CREAT | O_CLOEXEC | (options.append ? O_APPEND : O_TRUNC), 0644);
        break;
    case Output::Discard:
        out = open("/dev/null", O_WRONLY | O_CLOEXEC);
        break;
    }
    if (options.output != Output::Inherit) {
        if (out < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
            _exit(127);
    }
    int null_in = open("/dev/null", O_RDONLY);
    if (options.output != Output::Inherit && null_in >= 0)
        dup2(null_in, STDIN_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvpe(args[0], args.data(), envp);
    _exit(127);
}

int spawn(const std::vector<std::string>& argv, const RunOptions& options, int capture_fd) {
    if (argv.empty())
        throw std::logic_error("spawn: empty argv");
    if (!program_in_path(argv[0]))
        throw UserError("cannot run '" + argv[0] + "': not found",
                        "install it (scripts/vswap installs the Debian packages it needs as root)");
    // Our environment with the overrides replacing same-named variables.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        bool overridden = false;
        for (const auto& override_entry : options.env)
            overridden |= entry.starts_with(override_entry.first + "=");
        if (!overridden)
            env_strings.emplace_back(entry);
    }
    for (const auto& [key, value] : options.env)
        env_strings.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& e : env_strings)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0)
        throw UserError(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0)
        exec_child(argv, options, capture_fd, envp.data());
    return pid;
}

} // namespace

std::string ExitStatus::describe() const {
    if (signal)
        return std::string("killed by signal ") + strsignal(signal);
    return "exit status " + std::to_string(code);
}

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
    std::array<int, 2> pipe_fds{-1, -1};
    if (options.output == Output::Capture && pipe2(pipe_fds.data(), O_CLOEXEC) != 0)
        throw UserError(std::string("pipe failed: ") + std::strerror(errno));
    pid_t pid = spawn(argv, options, pipe_fds[1]);
    RunResult result;
    if (options.output == Output::Capture) {
        close(pipe_fds[1]);
        std::array<char, 65536> buffer{};
        for (;;) {
            ssize_t n = read(pipe_fds[0], buffer.data(), buffer.size());
            if (n > 0)
                result.output.append(buffer.data(), static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR)
                break;
        }
        close(pipe_fds[0]);
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    static_cast<ExitStatus&>(result) = decode(wstatus);
    return result;
}

RunResult run_checked(const std::vector<std::string>& argv, const RunOptions& options,
                      const std::string& fix) {
    RunResult result = run(argv, options);
    if (!result.ok()) {
        std::string tail = last_lines(result.output, 15);
        throw UserError("'" + shell_join(argv) + "' failed (" + result.describe() + ")" +
                            (tail.empty() ? "" : ":\n" + tail),
                        fix);
    }
    return result;
}

Child::Child(const std::vector<std::string>& argv, const RunOptions& options)
    : pid_(spawn(argv, options, -1)) {
    if (options.output == Output::Capture)
        throw std::logic_error("Child does not capture output");
}

Child::~Child() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
}

std::optional<ExitStatus> Child::poll() {
    if (pid_ <= 0)
        return std::nullopt;
    int wstatus = 0;
    pid_t r = waitpid(pid_, &wstatus, WNOHANG);
    if (r != pid_)
        return std::nullopt;
    pid_ = -1;
    return decode(wstatus);
}

ExitStatus Child::wait() {
    int wstatus = 0;
    while (waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return decode(wstatus);
}

void Child::kill(int signal) {
    if (pid_ > 0)
        ::kill(pid_, signal);
}

bool program_in_path(const std::string& name) {
    if (name.find('/') != std::string::npos)
        return access(name.c_str(), X_OK) == 0;
    const char* path = std::getenv("PATH");
    for (const auto& dir : split(path ? path : "/usr/bin:/bin", ':')) {
        if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0)
            return true;
    }
    return false;
}

std::string shell_quote(const std::string& word) {
    if (!word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_-./=:,+@%") == std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string shell_join(const std::vector<std::string>& words) {
    std::string joined;
    for (const auto& w : words)
        joined += (joined.empty() ? "" : " ") + shell_quote(w);
    return joined;
}

} // namespace vswap
