// Running child processes: synchronously with captured output, or as a
// handle that can be polled and killed (QEMU).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vswap {

enum class Output {
    Inherit, // the child writes to our stdout/stderr
    Capture, // stdout and stderr are collected into RunResult::output
    File,    // stdout and stderr go to RunOptions::output_file
    Discard, // /dev/null
};

struct RunOptions {
    std::filesystem::path cwd;
    std::vector<std::pair<std::string, std::string>> env; // added to ours
    Output output = Output::Capture;
    std::filesystem::path output_file;
    bool append = false; // for Output::File
};

struct ExitStatus {
    int code = -1;  // exit code, or -1 when killed by a signal
    int signal = 0; // the signal that killed the child, 0 if none
    bool ok() const { return code == 0; }
    std::string describe() const;
};

struct RunResult : ExitStatus {
    std::string output;
};

// Runs argv to completion. Throws UserError when the program cannot be started.
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

// Like run(), but a non-zero exit throws UserError naming the command, with
// the tail of its output and `fix` as the advice.
RunResult run_checked(const std::vector<std::string>& argv, const RunOptions& options = {},
                      const std::string& fix = {});

// A running child. The destructor kills and reaps it if it is still running.
class Child {
public:
    Child(const std::vector<std::string>& argv, const RunOptions& options);
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    Child(Child&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}
    ~Child();

    // The exit status if the child has ended, without blocking.
    std::optional<ExitStatus> poll();
    ExitStatus wait();
    void kill(int signal);
    int pid() const { return pid_; }

private:
    int pid_ = -1;
};

bool program_in_path(const std::string& name);

// Quotes one word for a POSIX shell.
std::string shell_quote(const std::string& word);
std::string shell_join(const std::vector<std::string>& words);

} // namespace vswap
