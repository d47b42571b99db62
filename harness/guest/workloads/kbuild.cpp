#include "guest/workloads/kbuild.h"

#include "common/text.h"
#include "guest/sysfs.h"
#include "guest/workloads/host_root.h"
#include "guest/workloads/latency.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <getopt.h>
#include <nlohmann/json.hpp>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vswap {
namespace fs = std::filesystem;
namespace {

// Where the kit lives inside the chroot: the kit's Makefile names this path.
constexpr const char* kKitRoot = "/tmp/kbuild";

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: vswap-guest kbuild --kit TAR [--dir DIR] [--jobs N] [--json]\n"
                 "Unpacks the kbuild kit TAR (made by the host harness in\n"
                 "build/kbuild/kit.tar; seen here under /host) into DIR/kbuild (default\n"
                 "/mnt/scratch, an ext4 disk), bind-mounts it at /host%s, and runs\n"
                 "'make -jN' (default 1) of the kit's objects with the host's gcc through\n"
                 "chroot /host. Fails when make fails or an object is missing.\n",
                 kKitRoot);
}

int run_busybox(const std::vector<std::string>& argv) {
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
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// The objects the kit's Makefile builds ("OBJS := $(OUT)/mm/a.o ...").
std::vector<std::string> kit_objects(const std::string& makefile) {
    std::vector<std::string> objects;
    for (const auto& line : split_lines(makefile)) {
        if (line.rfind("OBJS :=", 0) != 0)
            continue;
        for (const auto& word : split(line.substr(7), ' ')) {
            if (word.rfind("$(OUT)/", 0) == 0)
                objects.push_back(word.substr(7));
        }
    }
    return objects;
}

} // namespace

int kbuild_main(int argc, char** argv) {
    enum { kKit = 1000, kDir, kJobs, kJson, kHelp };
    static const option longopts[] = {
        {"kit", required_argument, nullptr, kKit},   {"dir", required_argument, nullptr, kDir},
        {"jobs", required_argument, nullptr, kJobs}, {"json", no_argument, nullptr, kJson},
        {"help", no_argument, nullptr, kHelp},       {nullptr, 0, nullptr, 0}};
    std::string kit, dir = "/mnt/scratch";
    unsigned jobs = 1;
    bool json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, nullptr)) != -1) {
        switch (c) {
        case kKit:
            kit = optarg;
            break;
        case kDir:
            dir = optarg;
            break;
        case kJobs:
            jobs = static_cast<unsigned>(std::strtoul(optarg, nullptr, 10));
            break;
        case kJson:
            json = true;
            break;
        case 'h':
        case kHelp:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || kit.empty() || jobs == 0) {
        usage(stderr);
        return 2;
    }

    std::string error;
    double unpack_s = 0, build_s = 0;
    std::vector<std::string> objects, built;
    uint64_t object_bytes = 0;
    const fs::path work = fs::path(dir) / "kbuild";
    const fs::path bind = std::string(kHostRoot) + kKitRoot;
    bool bound = false;
    try {
        if (!fs::exists(kit))
            throw std::runtime_error("no kbuild kit at " + kit +
                                     " (the host makes it: build/kbuild/kit.tar)");
        if (!host_has("/usr/bin/make") || !host_has("/usr/bin/gcc"))
            throw std::runtime_error("make or gcc is missing from the host root");
        fs::create_directories(work);
        fs::create_directories(bind);
        if (mount(work.c_str(), bind.c_str(), nullptr, MS_BIND, nullptr) != 0)
            throw std::runtime_error("cannot bind-mount " + work.string() + " on " + bind.string() +
                                     ": " + std::strerror(errno));
        bound = true;
        const uint64_t t0 = monotonic_ns();
        if (int rc = run_busybox({"tar", "-x", "-f", kit, "-C", work.string()}))
            throw std::runtime_error("cannot unpack " + kit + " (tar exit status " +
                                     std::to_string(rc) + ")");
        unpack_s = (monotonic_ns() - t0) / 1e9;
        objects = kit_objects(sysfs::read_text(work / "Makefile"));
        if (objects.empty())
            throw std::runtime_error("the kit's Makefile names no object");
        fs::remove_all(work / "out");

        HostRun make = run_in_host_root({"make", "-f", std::string(kKitRoot) + "/Makefile",
                                         "-j" + std::to_string(jobs),
                                         "OUT=" + std::string(kKitRoot) + "/out"});
        build_s = make.wall_s;
        for (const auto& o : objects) {
            std::error_code ec;
            auto size = fs::file_size(work / "out" / o, ec);
            if (!ec && size > 0) {
                built.push_back(o);
                object_bytes += size;
            }
        }
        if (make.exit_code != 0)
            error = "make failed: " + make.describe();
        else if (built.size() != objects.size())
            error = std::to_string(objects.size() - built.size()) + " of " +
                    std::to_string(objects.size()) + " objects were not built";
    } catch (const std::exception& e) {
        error = e.what();
    }
    if (bound)
        umount(bind.c_str());

    if (json) {
        nlohmann::json j = {{"workload", "kbuild"},
                            {"ok", error.empty()},
                            {"error", error},
                            {"kit", kit},
                            {"jobs", jobs},
                            {"objects", objects},
                            {"built", built},
                            {"metrics",
                             {{"build_s", build_s},
                              {"unpack_s", unpack_s},
                              {"objects_built", built.size()},
                              {"object_kib", object_bytes / 1024.0}}}};
        std::printf("%s\n", j.dump().c_str());
    } else if (error.empty()) {
        std::printf("kbuild: %zu objects in %.2f s (unpacking %.2f s)\n", built.size(), build_s,
                    unpack_s);
    } else {
        std::fprintf(stderr, "kbuild: %s\n", error.c_str());
    }
    return error.empty() ? 0 : 1;
}

} // namespace vswap
