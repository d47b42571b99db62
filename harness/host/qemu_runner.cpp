#include "host/qemu_runner.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

namespace vswap {
namespace {

// Follows a file that QEMU appends to, like tail -f.
class Follower {
public:
    Follower(std::filesystem::path path, FILE* sink) : path_(std::move(path)), sink_(sink) {}

    void pump() {
        if (!in_.is_open()) {
            in_.open(path_, std::ios::binary);
            if (!in_.is_open())
                return;
        }
        char buffer[8192];
        for (;;) {
            in_.read(buffer, sizeof buffer);
            std::streamsize n = in_.gcount();
            if (n <= 0)
                break;
            for (std::streamsize i = 0; i < n; ++i) {
                if (buffer[i] != '\r')
                    std::fputc(buffer[i], sink_);
            }
        }
        in_.clear(); // at EOF: keep following
        std::fflush(sink_);
    }

private:
    std::filesystem::path path_;
    FILE* sink_;
    std::ifstream in_;
};

} // namespace

RunnerOutcome run_qemu(const GuestSpec& spec, const RunnerOptions& options) {
    RunOptions run_options;
    run_options.output = Output::File;
    run_options.output_file = options.qemu_log;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };

    Child qemu(qemu_command(spec), run_options);
    Follower out(spec.stdout_log, stdout), err(spec.stderr_log, stderr);
    RunnerOutcome outcome;
    for (;;) {
        outcome.qemu = qemu.poll();
        if (options.stream) {
            out.pump();
            err.pump();
        }
        if (outcome.qemu)
            break;
        if (elapsed() > options.timeout_s) {
            qemu.kill(SIGKILL);
            qemu.wait();
            outcome.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    outcome.seconds = elapsed();
    return outcome;
}

} // namespace vswap
