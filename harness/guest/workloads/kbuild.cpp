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
    enum { kKit = 1000, kDir, kJobs, kJson, kPrepare, kHelp };
    static const option longopts[] = {{"prepare", no_argument, nullptr, kPrepare},
                                      {"kit", required_argument, nullptr, kKit},
                                      {"dir", required_argument, nullptr, kDir},
                                      {"jobs", required_argument, nullptr, kJobs},
                                      {"json", no_argument, nullptr, kJson},
                                      {"help", no_argument, nullptr, kHelp},
                                      {nullptr, 0, nullptr, 0}};
    std::string kit, dir = "/mnt/scratch";
    unsigned jobs = 1;
    bool json = false, prepare = false;
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
        case kPrepare:
            prepare = true;
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

    // --prepare (run by bench outside the workload's cgroup and timing):
    // unpack the kit and warm the compiler's page cache, then stop. A later
    // run finds the kit unpacked.
    std::string error;
    double unpack_s = 0, build_s = 0;
    const bool prepared = fs::exists(fs::path(dir) / "kbuild" / "Makefile");
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
        // A kit unpacked by --prepare is used as it is.
        if (!prepared) {
            const uint64_t t0 = monotonic_ns();
            if (int rc = run_in_guest({"tar", "-x", "-f", kit, "-C", work.string()}))
                throw std::runtime_error("cannot unpack " + kit + " (tar exit status " +
                                         std::to_string(rc) + ")");
            unpack_s = (monotonic_ns() - t0) / 1e9;
        }
        if (prepare) {
            // Load gcc, cc1 and as once, so that their pages are cached (and
            // charged to the caller's cgroup, not the workload's).
            umount(bind.c_str());
            bound = false;
            if (auto e = cache_host_root(); !e.empty())
                throw std::runtime_error(e);
            HostRun warm = run_in_host_root(
                {"sh", "-c", "echo 'int vswap_warm_up;' | gcc -O2 -x c -c -o /dev/null -"});
            if (warm.exit_code != 0)
                throw std::runtime_error("gcc does not run in the host root: " + warm.describe());
            return 0;
        }
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
    if (prepare) {
        std::fprintf(stderr, "kbuild: prepare: %s\n", error.c_str());
        return 1;
    }

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
