#include "guest/swapoff_deadline.h"

#include "guest/kernel_stack.h"
#include "guest/sysfs.h"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <sys/swap.h>
#include <thread>
#include <unistd.h>

namespace vswap {
namespace {

constexpr int kInterruptSignal = SIGUSR2;

// Without SA_RESTART, so that the signal ends the system call.
void install_interrupt_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_handler = [](int) {};
        sigemptyset(&action.sa_mask);
        sigaction(kInterruptSignal, &action, nullptr);
    });
}

} // namespace

SwapOffResult swap_off_with_deadline(const std::filesystem::path& path, double deadline_s) {
    install_interrupt_handler();
    const pid_t pid = getpid(), tid = gettid();
    std::mutex mutex;
    std::condition_variable returned_cv;
    bool returned = false;
    SwapOffResult result;

    std::thread watchdog([&] {
        std::unique_lock lock(mutex);
        const auto deadline = std::chrono::duration<double>(deadline_s);
        if (returned_cv.wait_for(lock, deadline, [&] { return returned; }))
            return;
        const std::string stack = task_kernel_stack(pid, tid);
        sysfs::try_write_text("/proc/sysrq-trigger", "l");
        char after[32];
        std::snprintf(after, sizeof after, "%g s", deadline_s);
        result.overran =
            "swapoff " + path.string() + " had not returned after " + after + "; kernel stack: " +
            (stack.empty() ? "none while it runs (CPU backtraces on the console)" : stack);
        // Now, in case the interruption never ends it.
        std::fprintf(stderr, "vswap-guest: %s; interrupting it\n", result.overran.c_str());
        std::fflush(stderr);
        while (!returned) {
            tgkill(pid, tid, kInterruptSignal);
            returned_cv.wait_for(lock, std::chrono::seconds(1), [&] { return returned; });
        }
    });
    const int rc = swapoff(path.c_str());
    const int error = rc == 0 ? 0 : errno;
    {
        std::lock_guard lock(mutex);
        returned = true;
    }
    returned_cv.notify_all();
    watchdog.join();
    result.error = error;
    return result;
}

} // namespace vswap
