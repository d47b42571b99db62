#include "guest/usemem.h"

#include "common/text.h"
#include "guest/pattern.h"
#include "guest/workloads/latency.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <getopt.h>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace vswap {
namespace {

constexpr size_t kPage = 4096;
constexpr unsigned kMaxProcesses = 256;

struct Options {
    unsigned processes = 1;
    uint64_t bytes = 0;
    bool anonymous = false; // -O: MAP_ANONYMOUS instead of a private /dev/zero map
    bool random = false;    // -R: random page order
    bool sync_rw = false;   // -y: all processes finish writing before any reads
    bool sync_free = false; // -x: all processes finish reading before any frees
    bool init_time = false; // --init-time: report the mmap time, leave it out of throughput
    bool json = false;
    PageContent content = PageContent::Compressible;
    uint64_t seed = 1;
};

// Per-process figures, written by each child into a shared page.
struct Report {
    double init_s, write_s, verify_s, free_s, user_s, sys_s;
    uint64_t pages, mismatched_pages;
    uint64_t first_bad_page, first_bad_word, expected, actual;
};

struct Shared {
    std::atomic<unsigned> written, verified;
    Report reports[kMaxProcesses];
};

double now() {
    return monotonic_ns() / 1e9;
}

void barrier(std::atomic<unsigned>& counter, unsigned parties) {
    counter.fetch_add(1);
    while (counter.load() < parties)
        usleep(1000);
}

std::vector<uint32_t> page_order(uint64_t pages, bool random, uint64_t seed) {
    std::vector<uint32_t> order(pages);
    std::iota(order.begin(), order.end(), 0u);
    if (random) {
        std::mt19937_64 rng(seed);
        std::shuffle(order.begin(), order.end(), rng);
    }
    return order;
}

// `write_ns` and `verify_ns` are this process's slices of the shared
// latency arrays: one sample per page, in the order the pages were touched.
int run_process(const Options& o, unsigned index, Shared& shared, uint32_t* write_ns,
                uint32_t* verify_ns) {
    Report& r = shared.reports[index];
    const uint64_t pages = o.bytes / kPage;
    const uint64_t seed = o.seed * 1000003 + index;
    r.pages = pages;

    double t0 = now();
    int flags = MAP_PRIVATE | (o.anonymous ? MAP_ANONYMOUS : 0);
    int fd = o.anonymous ? -1 : open("/dev/zero", O_RDWR);
    void* map = mmap(nullptr, pages * kPage, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (fd >= 0)
        close(fd);
    if (map == MAP_FAILED) {
        std::fprintf(stderr, "usemem: process %u: mmap of %s failed: %s\n", index,
                     format_size(pages * kPage).c_str(), std::strerror(errno));
        return 3;
    }
    auto* words = static_cast<uint64_t*>(map);
    r.init_s = now() - t0;

    const auto write_order = page_order(pages, o.random, seed);
    t0 = now();
    uint64_t last = monotonic_ns();
    for (size_t i = 0; i < write_order.size(); ++i) {
        const uint32_t p = write_order[i];
        fill_page(words + p * kWordsPerPage, o.content, seed, p);
        uint64_t t = monotonic_ns();
        write_ns[i] = saturate_ns(t - last);
        last = t;
    }
    r.write_s = now() - t0;
    if (o.sync_rw)
        barrier(shared.written, o.processes);

    const auto verify_order = page_order(pages, o.random, seed + 1);
    t0 = now();
    last = monotonic_ns();
    for (size_t i = 0; i < verify_order.size(); ++i) {
        const uint32_t p = verify_order[i];
        auto bad = verify_page(words + p * kWordsPerPage, o.content, seed, p);
        uint64_t t = monotonic_ns();
        verify_ns[i] = saturate_ns(t - last);
        last = t;
        if (bad && r.mismatched_pages++ == 0) {
            r.first_bad_page = p;
            r.first_bad_word = bad->word;
            r.expected = bad->expected;
            r.actual = bad->actual;
        }
    }
    r.verify_s = now() - t0;
    if (o.sync_free)
        barrier(shared.verified, o.processes);

    t0 = now();
    munmap(map, pages * kPage);
    r.free_s = now() - t0;

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    r.user_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6;
    r.sys_s = usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    return r.mismatched_pages ? 1 : 0;
}

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: vswap-guest usemem [-n N] [-O] [-R] [-y] [-x] [--init-time]\n"
                 "                          [--content KIND] [--seed S] [--json] SIZE\n"
                 "Maps SIZE per process, writes a per-page pattern, reads every page back\n"
                 "and verifies every byte, then unmaps it. Exits 1 on any mismatch.\n"
                 "  -n, --nproc N      run N processes (default 1)\n"
                 "  -O, --anonymous    map with MAP_ANONYMOUS (default: private /dev/zero)\n"
                 "  -R, --random       touch pages in random order\n"
                 "  -y, --sync-rw      all processes finish writing before any reads\n"
                 "  -x, --sync-free    all processes finish reading before any frees\n"
                 "  --init-time        report the time to set up the mapping and leave it\n"
                 "                     out of the throughput\n"
                 "  --content KIND     compressible (default), random, same-filled, zero\n"
                 "  --seed S           pattern seed (default 1)\n"
                 "  --json             print the figures as JSON (metrics, per-process times,\n"
                 "                     per-page latency histograms)\n"
                 "SIZE takes k, M, G suffixes (powers of 1024).\n");
}

} // namespace

int usemem_main(int argc, char** argv) {
    Options o;
    enum { kInitTime = 1000, kContent, kSeed, kJson, kHelp };
    static const option longopts[] = {{"nproc", required_argument, nullptr, 'n'},
                                      {"anonymous", no_argument, nullptr, 'O'},
                                      {"random", no_argument, nullptr, 'R'},
                                      {"sync-rw", no_argument, nullptr, 'y'},
                                      {"sync-free", no_argument, nullptr, 'x'},
                                      {"init-time", no_argument, nullptr, kInitTime},
                                      {"content", required_argument, nullptr, kContent},
                                      {"seed", required_argument, nullptr, kSeed},
                                      {"json", no_argument, nullptr, kJson},
                                      {"help", no_argument, nullptr, kHelp},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "n:ORyxh", longopts, nullptr)) != -1) {
        switch (c) {
        case 'n': {
            char* end = nullptr;
            unsigned long n = std::strtoul(optarg, &end, 10);
            if (*end || n == 0 || n > kMaxProcesses) {
                std::fprintf(stderr, "usemem: -n wants 1..%u processes, not '%s'\n", kMaxProcesses,
                             optarg);
                return 2;
            }
            o.processes = static_cast<unsigned>(n);
            break;
        }
        case 'O':
            o.anonymous = true;
            break;
        case 'R':
            o.random = true;
            break;
        case 'y':
            o.sync_rw = true;
            break;
        case 'x':
            o.sync_free = true;
            break;
        case kInitTime:
            o.init_time = true;
            break;
        case kJson:
            o.json = true;
            break;
        case kSeed:
            o.seed = std::strtoull(optarg, nullptr, 0);
            break;
        case kContent: {
            auto content = parse_page_content(optarg);
            if (!content) {
                std::fprintf(stderr,
                             "usemem: unknown --content '%s'; use compressible, random, "
                             "same-filled or zero\n",
                             optarg);
                return 2;
            }
            o.content = *content;
            break;
        }
        case 'h':
        case kHelp:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    auto bytes = parse_size(argv[optind]);
    if (!bytes || *bytes < kPage || *bytes / kPage > UINT32_MAX) {
        std::fprintf(stderr, "usemem: SIZE '%s' is not a size between 4k and 16T (e.g. 256M)\n",
                     argv[optind]);
        return 2;
    }
    o.bytes = *bytes / kPage * kPage;
    const uint64_t pages = o.bytes / kPage;

    void* shared_map =
        mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    // One latency sample per page and pass, per process.
    const size_t latency_bytes = 2 * o.processes * pages * sizeof(uint32_t);
    void* latency_map =
        mmap(nullptr, latency_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared_map == MAP_FAILED || latency_map == MAP_FAILED) {
        std::perror("usemem: mmap");
        return 3;
    }
    auto* shared = new (shared_map) Shared{};
    auto* latency = static_cast<uint32_t*>(latency_map);
    auto write_ns = [&](unsigned i) { return latency + (2 * i) * pages; };
    auto verify_ns = [&](unsigned i) { return latency + (2 * i + 1) * pages; };

    const double start = now();
    std::vector<pid_t> children;
    for (unsigned i = 0; i < o.processes; ++i) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(run_process(o, i, *shared, write_ns(i), verify_ns(i)));
        if (pid < 0) {
            std::perror("usemem: fork");
            return 3;
        }
        children.push_back(pid);
    }
    int exit_code = 0;
    std::string error;
    for (unsigned i = 0; i < children.size(); ++i) {
        int status = 0;
        waitpid(children[i], &status, 0);
        if (WIFSIGNALED(status)) {
            char text[160];
            std::snprintf(text, sizeof text, "process %u was killed by signal %d (%s)%s", i,
                          WTERMSIG(status), strsignal(WTERMSIG(status)),
                          WTERMSIG(status) == SIGKILL ? ", probably by the OOM killer" : "");
            std::fprintf(stderr, "usemem: %s\n", text);
            if (error.empty())
                error = text;
            exit_code = 1;
        } else if (WEXITSTATUS(status) != 0) {
            exit_code = std::max(exit_code, WEXITSTATUS(status));
        }
    }
    const double wall = now() - start;

    uint64_t total_bytes = 0, bad_pages = 0;
    double max_init = 0, max_write = 0, max_verify = 0, max_free = 0, sum_user = 0, sum_sys = 0;
    for (unsigned i = 0; i < o.processes; ++i) {
        const Report& r = shared->reports[i];
        total_bytes += r.pages * kPage;
        bad_pages += r.mismatched_pages;
        max_init = std::max(max_init, r.init_s);
        max_write = std::max(max_write, r.write_s);
        max_verify = std::max(max_verify, r.verify_s);
        max_free = std::max(max_free, r.free_s);
        sum_user += r.user_s;
        sum_sys += r.sys_s;
        if (r.mismatched_pages) {
            char text[256];
            std::snprintf(text, sizeof text,
                          "process %u: %llu of %llu pages corrupt; first: page %llu word %llu "
                          "expected %016llx got %016llx",
                          i, (unsigned long long)r.mismatched_pages, (unsigned long long)r.pages,
                          (unsigned long long)r.first_bad_page,
                          (unsigned long long)r.first_bad_word, (unsigned long long)r.expected,
                          (unsigned long long)r.actual);
            std::fprintf(stderr, "usemem: %s\n", text);
            if (error.empty())
                error = text;
        }
    }
    if (exit_code && error.empty())
        error = "a process exited with status " + std::to_string(exit_code);
    // Throughput as vm-scalability reports it: bytes per second of wall time
    // (without the mappings' set-up time under --init-time).
    const double busy = o.init_time ? std::max(wall - max_init, 1e-9) : wall;
    const double throughput = busy > 0 ? total_bytes / busy : 0;

    std::vector<uint32_t> all_write, all_verify;
    for (unsigned i = 0; i < o.processes; ++i) {
        if (shared->reports[i].pages != pages)
            continue; // the process died before recording
        all_write.insert(all_write.end(), write_ns(i), write_ns(i) + pages);
        all_verify.insert(all_verify.end(), verify_ns(i), verify_ns(i) + pages);
    }

    if (o.json) {
        nlohmann::json j = {
            {"workload", "usemem"},
            {"ok", exit_code == 0},
            {"error", error},
            {"processes", o.processes},
            {"bytes_per_process", o.bytes},
            {"content", std::string(page_content_name(o.content))},
            {"anonymous", o.anonymous},
            {"random", o.random},
            {"sync_rw", o.sync_rw},
            {"sync_free", o.sync_free},
            {"corrupt_pages", bad_pages},
            {"metrics",
             {{"throughput_mbps", throughput / 1e6},
              {"init_s", max_init},
              {"write_s", max_write},
              {"verify_s", max_verify},
              {"free_s", max_free},
              {"write_p50_us", latency_quantile_us(all_write, 0.50)},
              {"write_p99_us", latency_quantile_us(all_write, 0.99)},
              {"verify_p50_us", latency_quantile_us(all_verify, 0.50)},
              {"verify_p99_us", latency_quantile_us(all_verify, 0.99)},
              {"corrupt_pages", bad_pages}}},
            {"latency", latency_json({{"write", &all_write}, {"verify", &all_verify}})},
            {"per_process", nlohmann::json::array()}};
        for (unsigned i = 0; i < o.processes; ++i) {
            const Report& r = shared->reports[i];
            const double busy_s = r.write_s + r.verify_s;
            j["per_process"].push_back(
                {{"init_s", r.init_s},
                 {"write_s", r.write_s},
                 {"verify_s", r.verify_s},
                 {"free_s", r.free_s},
                 {"user_s", r.user_s},
                 {"sys_s", r.sys_s},
                 {"throughput_mbps", busy_s > 0 ? r.pages * kPage / busy_s / 1e6 : 0},
                 {"corrupt_pages", r.mismatched_pages}});
        }
        std::printf("%s\n", j.dump().c_str());
    } else {
        for (unsigned i = 0; i < o.processes; ++i) {
            const Report& r = shared->reports[i];
            std::printf("usemem: process %u: %s", i, format_size(r.pages * kPage).c_str());
            if (o.init_time)
                std::printf(", init %.6f s", r.init_s);
            std::printf(", write %.3f s, verify %.3f s, free %.6f s\n", r.write_s, r.verify_s,
                        r.free_s);
        }
        std::printf("usemem: page latency: write p50 %.1f us p99 %.1f us, verify p50 %.1f us "
                    "p99 %.1f us\n",
                    latency_quantile_us(all_write, 0.5), latency_quantile_us(all_write, 0.99),
                    latency_quantile_us(all_verify, 0.5), latency_quantile_us(all_verify, 0.99));
        std::printf("usemem: %s in %.3f s (%.1f MB/s), user %.3f s, sys %.3f s, %s\n",
                    format_size(total_bytes).c_str(), wall, throughput / 1e6, sum_user, sum_sys,
                    exit_code == 0 ? "all pages verified" : "FAILED");
    }
    munmap(latency_map, latency_bytes);
    return exit_code;
}

} // namespace vswap
