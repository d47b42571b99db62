#include "guest/workloads/host_root.h"

#include "guest/workloads/latency.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

namespace vswap {

std::string HostRun::describe() const {
    if (signal)
        return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    return "exit status " + std::to_string(exit_code);
}

bool host_has(const std::string& program) {
    return std::filesystem::exists(std::string(kHostRoot) + program);
}

HostRun run_in_host_root(const std::vector<std::string>& argv) {
    HostRun r;
    const uint64_t start = monotonic_ns();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(STDERR_FILENO, STDOUT_FILENO);
        // /tmp (a tmpfs) is the one writable directory of the host root.
        if (chroot(kHostRoot) != 0 || chdir("/tmp") != 0) {
            std::fprintf(stderr, "cannot chroot to %s: %s\n", kHostRoot, std::strerror(errno));
            _exit(127);
        }
        std::vector<char*> cargv;
        for (const auto& a : argv)
            cargv.push_back(const_cast<char*>(a.c_str()));
        cargv.push_back(nullptr);
        setenv("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", 1);
        setenv("LC_ALL", "C", 1);
        execvp(cargv[0], cargv.data());
        std::fprintf(stderr, "cannot run %s in the host root: %s\n", cargv[0],
                     std::strerror(errno));
        _exit(127);
    }
    if (pid < 0)
        return r;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.wall_s = (monotonic_ns() - start) / 1e9;
    if (WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r.signal = WTERMSIG(status);
    return r;
}

} // namespace vswap
