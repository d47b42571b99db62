#include "guest/workloads/host_root.h"

#include "common/text.h"
#include "guest/sysfs.h"
#include "guest/workloads/latency.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vswap {

std::string HostRun::describe() const {
    if (signal)
        return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    return "exit status " + std::to_string(exit_code);
}

std::string cache_host_root() {
    std::string options;
    for (const auto& line : split_lines(sysfs::read_text("/proc/mounts"))) {
        auto fields = split(line, ' ');
        if (fields.size() > 3 && fields[1] == kHostRoot)
            options = fields[3];
    }
    if (options.empty())
        return std::string("the host root is not mounted at ") + kHostRoot;
    if (options.find("cache=0xf") != std::string::npos ||
        options.find("cache=loose") != std::string::npos)
        return {};
    const std::string root = kHostRoot;
    // A checkout under the host's /tmp is bound at /project and at its own
    // path over the guest's /host/tmp (init.sh). Those binds hold the 9p
    // channel, which mounts once: they go first and come back after.
    const char* env_project = std::getenv("VSWAP_PROJECT");
    const std::string project = env_project ? env_project : "";
    const bool project_in_tmp =
        project.rfind("/tmp/", 0) == 0 && umount2("/project", MNT_DETACH) == 0;
    for (const char* sub : {"/tmp", "/dev", "/sys", "/proc"})
        umount2((root + sub).c_str(), MNT_DETACH);
    if (umount(root.c_str()) != 0)
        return "cannot unmount " + root + " to remount it cached: " + std::strerror(errno);
    if (mount("hostroot", root.c_str(), "9p", MS_RDONLY,
              "trans=virtio,version=9p2000.L,msize=262144,cache=loose") != 0)
        return "cannot mount the host root with cache=loose: " + std::string(std::strerror(errno));
    for (const char* sub : {"/proc", "/sys", "/dev"}) {
        if (mount(sub, (root + sub).c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
            return "cannot bind " + std::string(sub) + " into " + root + ": " +
                   std::strerror(errno);
    }
    if (project_in_tmp &&
        mount((root + project).c_str(), "/project", nullptr, MS_BIND, nullptr) != 0)
        return "cannot bind " + root + project + " at /project: " + std::strerror(errno);
    if (mount("tmpfs", (root + "/tmp").c_str(), "tmpfs", 0, "mode=1777") != 0)
        return "cannot mount a tmpfs on " + root + "/tmp: " + std::strerror(errno);
    if (project_in_tmp) {
        std::error_code ec;
        std::filesystem::create_directories(root + project, ec);
        if (mount("/project", (root + project).c_str(), nullptr, MS_BIND, nullptr) != 0)
            return "cannot bind /project at " + root + project + ": " + std::strerror(errno);
    }
    return {};
}

int run_in_guest(const std::vector<std::string>& argv) {
    pid_t pid = fork();
    if (pid == 0) {
        dup2(STDERR_FILENO, STDOUT_FILENO);
        std::vector<char*> cargv;
        for (const auto& a : argv)
            cargv.push_back(const_cast<char*>(a.c_str()));
        cargv.push_back(nullptr);
        execvp(cargv[0], cargv.data());
        _exit(127);
    }
    if (pid < 0)
        return 127;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool host_has(const std::string& program) {
    return std::filesystem::exists(std::string(kHostRoot) + program);
}

namespace {

// The processes whose parent is this one (orphans we adopted as subreaper).
std::vector<pid_t> own_children() {
    std::vector<pid_t> pids;
    const std::string self = std::to_string(getpid());
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        auto stat = sysfs::read_text_if_exists(entry.path() / "stat");
        if (!stat)
            continue;
        // pid (comm) state ppid ...: comm may hold spaces, so start after ')'.
        auto fields = split(stat->substr(stat->rfind(')') + 2), ' ');
        if (fields.size() > 1 && fields[1] == self)
            pids.push_back(std::stoi(name));
    }
    return pids;
}

// Reaps the descendants left running, which reparented to us: waits up to
// kStragglerWaitS for them to finish, then kills the rest.
void reap_stragglers(HostRun& r) {
    std::vector<pid_t> left = own_children();
    r.stragglers = static_cast<int>(left.size());
    const uint64_t deadline = monotonic_ns() + uint64_t(kStragglerWaitS * 1e9);
    for (;;) {
        int status = 0;
        pid_t p = waitpid(-1, &status, WNOHANG);
        if (p < 0 && errno == ECHILD)
            return;
        if (p > 0)
            continue;
        if (monotonic_ns() >= deadline)
            break;
        usleep(10000);
    }
    // Kill them, and whatever they in turn leave to us, until none is left.
    r.stragglers_killed = static_cast<int>(own_children().size());
    for (;;) {
        for (pid_t p : own_children())
            kill(p, SIGKILL);
        pid_t p = waitpid(-1, nullptr, WNOHANG);
        if (p < 0 && errno == ECHILD)
            return;
        if (p <= 0)
            usleep(10000);
    }
}

} // namespace

HostRun run_in_host_root(const std::vector<std::string>& argv) {
    HostRun r;
    // Whatever the program leaves running comes back to us to be reaped.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
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
    reap_stragglers(r);
    r.wall_s = (monotonic_ns() - start) / 1e9;
    if (WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r.signal = WTERMSIG(status);
    return r;
}

} // namespace vswap
