#include "guest/workloads/swapoff.h"

#include "common/text.h"
#include "guest/backend.h"
#include "guest/pattern.h"
#include "guest/sysfs.h"
#include "guest/workloads/latency.h"
#include "guest/workloads/reclaim.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <getopt.h>
#include <nlohmann/json.hpp>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vswap {
namespace fs = std::filesystem;
namespace {

constexpr size_t kPage = 4096;

struct Options {
    double level = 50; // percent of the swap space to fill
    uint64_t file_bytes = 128ull << 20;
    std::string dir = "/mnt/scratch";
    bool json = false;
};

double cpu_seconds(const timeval& tv) {
    return tv.tv_sec + tv.tv_usec / 1e6;
}

uint64_t vm_swap_bytes() {
    for (const auto& line : split_lines(sysfs::read_text("/proc/self/status"))) {
        if (line.rfind("VmSwap:", 0) == 0)
            return std::stoull(trim(line.substr(7))) * 1024;
    }
    return 0;
}

// The filler: maps the file (read every page, dirty one so that the mapping
// has an anon_vma and swapoff walks it), writes `bytes` of patterns, pages
// them out, tells the parent, waits, then verifies. Runs in a child.
int filler(const Options& o, const fs::path& file, uint64_t bytes, int ready_fd, int go_fd) {
    auto report = [&](double fill_s, uint64_t swapped, const std::string& error) {
        char line[512];
        int n = std::snprintf(line, sizeof line, "%.9f %llu %s\n", fill_s,
                              (unsigned long long)swapped, error.c_str());
        (void)!write(ready_fd, line, static_cast<size_t>(n));
    };
    int fd = open(file.c_str(), O_RDWR);
    if (fd < 0) {
        report(0, 0, "cannot open " + file.string() + ": " + std::strerror(errno));
        return 1;
    }
    auto* mapped = static_cast<volatile unsigned char*>(
        mmap(nullptr, o.file_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    close(fd);
    if (mapped == MAP_FAILED) {
        report(0, 0, std::string("mmap of the file: ") + std::strerror(errno));
        return 1;
    }
    unsigned sum = 0;
    for (uint64_t off = 0; off < o.file_bytes; off += kPage)
        sum += mapped[off];
    mapped[0] = static_cast<unsigned char>(sum + 1);

    const uint64_t pages = bytes / kPage;
    auto* words = static_cast<uint64_t*>(
        mmap(nullptr, pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (words == MAP_FAILED) {
        report(0, 0, std::string("mmap: ") + std::strerror(errno));
        return 1;
    }
    for (uint64_t p = 0; p < pages; ++p)
        fill_page(words + p * kWordsPerPage, PageContent::Compressible, 7, p);
    const uint64_t t0 = monotonic_ns();
    std::string error;
    // Free what is still in the swap cache so that the data really is on
    // the backend, then map the whole file again (reclaim may have taken
    // some of its pages).
    if (madvise(words, pages * kPage, MADV_PAGEOUT) != 0)
        error = std::string("madvise(MADV_PAGEOUT): ") + std::strerror(errno);
    if (error.empty())
        error = reclaim_own_cgroup(bytes);
    for (uint64_t off = 0; off < o.file_bytes; off += kPage)
        sum += mapped[off];
    report((monotonic_ns() - t0) / 1e9, vm_swap_bytes(), error);
    char go;
    if (read(go_fd, &go, 1) != 1)
        return 1;
    for (uint64_t p = 0; p < pages; ++p) {
        if (auto bad = verify_page(words + p * kWordsPerPage, PageContent::Compressible, 7, p)) {
            std::fprintf(stderr,
                         "swapoff: page %llu word %zu is wrong after swapoff: expected %016llx, "
                         "got %016llx\n",
                         (unsigned long long)p, bad->word, (unsigned long long)bad->expected,
                         (unsigned long long)bad->actual);
            return 1;
        }
    }
    return 0;
}

void usage(FILE* out) {
    std::fprintf(out, "usage: vswap-guest swapoff [--level PCT] [--file-size SIZE] [--dir DIR] "
                      "[--json]\n"
                      "With swap on, a process maps a SIZE file in DIR (default /mnt/scratch,\n"
                      "128M) and pages out enough memory to fill PCT%% (default 50) of the active\n"
                      "swap areas; then swapoff(2) of each area is timed (wall and kernel CPU),\n"
                      "the process verifies its data, and the areas are swapped on again.\n"
                      "swapped_mib is what the areas held, process_swapped_mib the process's\n"
                      "VmSwap: with virtual swap, pages in zswap or zero hold no area space.\n");
}

} // namespace

int swapoff_main(int argc, char** argv) {
    Options o;
    enum { kLevel = 1000, kFileSize, kDir, kJson, kHelp };
    static const option longopts[] = {{"level", required_argument, nullptr, kLevel},
                                      {"file-size", required_argument, nullptr, kFileSize},
                                      {"dir", required_argument, nullptr, kDir},
                                      {"json", no_argument, nullptr, kJson},
                                      {"help", no_argument, nullptr, kHelp},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, nullptr)) != -1) {
        switch (c) {
        case kLevel:
            o.level = std::strtod(optarg, nullptr);
            break;
        case kFileSize: {
            auto size = parse_size(optarg);
            if (!size || *size < kPage) {
                std::fprintf(stderr, "swapoff: --file-size '%s' is not a size\n", optarg);
                return 2;
            }
            o.file_bytes = *size / kPage * kPage;
            break;
        }
        case kDir:
            o.dir = optarg;
            break;
        case kJson:
            o.json = true;
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
    if (optind != argc || o.level <= 0 || o.level > 95) {
        usage(stderr);
        return 2;
    }

    nlohmann::json j = {{"workload", "swapoff"}, {"ok", false}, {"error", ""}};
    auto finish = [&](const std::string& error) {
        j["ok"] = error.empty();
        j["error"] = error;
        if (o.json)
            std::printf("%s\n", j.dump().c_str());
        else if (!error.empty())
            std::fprintf(stderr, "swapoff: %s\n", error.c_str());
        return error.empty() ? 0 : 1;
    };

    std::vector<ActiveSwap> areas;
    try {
        areas = active_swaps();
    } catch (const std::exception& e) {
        return finish(e.what());
    }
    if (areas.empty())
        return finish("no swap area is active: set up a backend with a swap device first");
    uint64_t total = 0;
    for (const auto& a : areas)
        total += a.size_bytes;
    const uint64_t target = static_cast<uint64_t>(total * o.level / 100) / kPage * kPage;

    // Allocated but unwritten: reading it fills the page cache with zeros
    // without disk writes, which would only add I/O noise.
    const fs::path file = fs::path(o.dir) / "swapoff-mapped-file";
    {
        int fd = open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
        int error = fd < 0 ? errno : posix_fallocate(fd, 0, static_cast<off_t>(o.file_bytes));
        if (fd >= 0)
            close(fd);
        if (error)
            return finish("cannot make the " + format_size(o.file_bytes) + " file " +
                          file.string() + ": " + std::strerror(error));
    }

    int ready[2], go[2];
    if (pipe(ready) != 0 || pipe(go) != 0)
        return finish(std::string("pipe: ") + std::strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        _exit(filler(o, file, target, ready[1], go[0]));
    }
    close(ready[1]);
    close(go[0]);
    char line[512] = {};
    ssize_t n = read(ready[0], line, sizeof line - 1);
    double fill_s = 0;
    unsigned long long filler_swap = 0;
    char filler_error[400] = {};
    if (n <= 0 ||
        std::sscanf(line, "%lf %llu %399[^\n]", &fill_s, &filler_swap, filler_error) < 2) {
        waitpid(pid, nullptr, 0);
        fs::remove(file);
        return finish("the filler process died before paging out (OOM?)");
    }
    if (filler_error[0]) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        fs::remove(file);
        return finish(filler_error);
    }

    const uint64_t used = swap_used_bytes();
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    const uint64_t t0 = monotonic_ns();
    std::string error;
    for (const auto& a : areas) {
        if (int e = try_swap_off(a.path)) {
            error = "swapoff " + a.path + ": " + std::strerror(e);
            break;
        }
    }
    const double swapoff_s = (monotonic_ns() - t0) / 1e9;
    getrusage(RUSAGE_SELF, &after);
    for (const auto& a : areas) {
        if (int e = try_swap_on(a.path, a.priority < 0 ? -1 : a.priority); e && error.empty())
            error = "swapon " + a.path + " again: " + std::strerror(e);
    }
    (void)!write(go[1], "g", 1);
    int status = 0;
    waitpid(pid, &status, 0);
    if (error.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        error = "the filler's data did not survive swapoff (see stderr)";
    fs::remove(file);
    // With virtual swap, zswap and zero pages hold no slot: the process can
    // have all its data swapped out while no area shows any use, and
    // swapoff then has nothing to read. That is a result, not a failure.
    if (error.empty() && used == 0 && filler_swap == 0)
        error = "nothing was swapped out before swapoff (no area showed any use and the "
                "filler's VmSwap was 0)";

    j["areas"] = nlohmann::json::array();
    for (const auto& a : areas)
        j["areas"].push_back({{"path", a.path}, {"size_bytes", a.size_bytes}});
    j["target_bytes"] = target;
    j["filler_vm_swap_bytes"] = filler_swap;
    j["metrics"] = {{"swapoff_s", swapoff_s},
                    {"swapoff_sys_s", cpu_seconds(after.ru_stime) - cpu_seconds(before.ru_stime)},
                    {"swapoff_user_s", cpu_seconds(after.ru_utime) - cpu_seconds(before.ru_utime)},
                    {"swapped_mib", used / 1048576.0},
                    {"process_swapped_mib", filler_swap / 1048576.0},
                    {"fill_level_pct", total ? 100.0 * used / total : 0},
                    {"fill_s", fill_s}};
    if (!o.json)
        std::printf("swapoff: %s of %s swap in use (%.0f%%; the process had %s swapped out) "
                    "with a %s file mapped; swapoff took %.3f s (%.3f s kernel CPU)\n",
                    format_size(used).c_str(), format_size(total).c_str(),
                    total ? 100.0 * used / total : 0, format_size(filler_swap).c_str(),
                    format_size(o.file_bytes).c_str(), swapoff_s,
                    cpu_seconds(after.ru_stime) - cpu_seconds(before.ru_stime));
    return finish(error);
}

} // namespace vswap
