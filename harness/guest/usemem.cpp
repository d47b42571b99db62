#include "guest/usemem.h"

#include "common/text.h"
#include "guest/pattern.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <getopt.h>
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

struct Options {
    unsigned processes = 1;
    uint64_t bytes = 0;
    bool anonymous = false; // -O: MAP_ANONYMOUS instead of a private /dev/zero map
    bool random = false;    // -R: random page order
    bool sync_rw = false;   // -y: all processes finish writing before any reads
    bool sync_free = false; // -x: all processes finish reading before any frees
    bool init_time = false; // --init-time: report the mmap time
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
    Report reports[256];
};

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
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

int run_process(const Options& o, unsigned index, Shared& shared) {
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

    t0 = now();
    for (uint32_t p : page_order(pages, o.random, seed))
        fill_page(words + p * kWordsPerPage, o.content, seed, p);
    r.write_s = now() - t0;
    if (o.sync_rw)
        barrier(shared.written, o.processes);

    t0 = now();
    for (uint32_t p : page_order(pages, o.random, seed + 1)) {
        auto bad = verify_page(words + p * kWordsPerPage, o.content, seed, p);
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
    std::fprintf(out, "usage: vswap-guest usemem [-n N] [-O] [-R] [-y] [-x] [--init-time]\n"
                      "                          [--content KIND] [--seed S] [--json] SIZE\n"
                      "Maps SIZE per process, writes a per-page pattern, reads every page back\n"
                      "and verifies every byte. Exits 1 on any mismatch.\n"
                      "  -n, --nproc N      run N processes (default 1)\n"
                      "  -O, --anonymous    map with MAP_ANONYMOUS (default: private /dev/zero)\n"
                      "  -R, --random       touch pages in random order\n"
                      "  -y, --sync-rw      all processes finish writing before any reads\n"
                      "  -x, --sync-free    all processes finish reading before any frees\n"
                      "  --init-time        report the time to set up the mapping\n"
                      "  --content KIND     compressible (default), random, same-filled, zero\n"
                      "  --seed S           pattern seed (default 1)\n"
                      "  --json             print the figures as JSON\n"
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
            if (*end || n == 0 || n > 256) {
                std::fprintf(stderr, "usemem: -n wants 1..256 processes, not '%s'\n", optarg);
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

    void* shared_map =
        mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared_map == MAP_FAILED) {
        std::perror("usemem: mmap");
        return 3;
    }
    auto* shared = new (shared_map) Shared{};

    double start = now();
    std::vector<pid_t> children;
    for (unsigned i = 0; i < o.processes; ++i) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(run_process(o, i, *shared));
        if (pid < 0) {
            std::perror("usemem: fork");
            return 3;
        }
        children.push_back(pid);
    }
    int exit_code = 0;
    for (unsigned i = 0; i < children.size(); ++i) {
        int status = 0;
        waitpid(children[i], &status, 0);
        if (WIFSIGNALED(status)) {
            std::fprintf(stderr, "usemem: process %u was killed by signal %d (%s)%s\n", i,
                         WTERMSIG(status), strsignal(WTERMSIG(status)),
                         WTERMSIG(status) == SIGKILL ? ", probably by the OOM killer" : "");
            exit_code = 1;
        } else if (WEXITSTATUS(status) != 0) {
            exit_code = std::max(exit_code, WEXITSTATUS(status));
        }
    }
    double wall = now() - start;

    uint64_t total_bytes = 0, bad_pages = 0;
    double max_free = 0, sum_user = 0, sum_sys = 0;
    for (unsigned i = 0; i < o.processes; ++i) {
        const Report& r = shared->reports[i];
        total_bytes += r.pages * kPage;
        bad_pages += r.mismatched_pages;
        max_free = std::max(max_free, r.free_s);
        sum_user += r.user_s;
        sum_sys += r.sys_s;
        if (r.mismatched_pages)
            std::fprintf(stderr,
                         "usemem: process %u: %llu of %llu pages corrupt; first: page %llu word "
                         "%llu expected %016llx got %016llx\n",
                         i, (unsigned long long)r.mismatched_pages, (unsigned long long)r.pages,
                         (unsigned long long)r.first_bad_page, (unsigned long long)r.first_bad_word,
                         (unsigned long long)r.expected, (unsigned long long)r.actual);
    }
    // Throughput as vm-scalability reports it: bytes written per second of wall time.
    double throughput = wall > 0 ? total_bytes / wall : 0;
    if (o.json) {
        std::printf("{\"workload\":\"usemem\",\"processes\":%u,\"bytes_per_process\":%llu,"
                    "\"content\":\"%s\",\"wall_s\":%.6f,\"user_s\":%.6f,\"sys_s\":%.6f,"
                    "\"throughput_bps\":%.1f,\"max_free_s\":%.6f,\"corrupt_pages\":%llu,"
                    "\"per_process\":[",
                    o.processes, (unsigned long long)o.bytes,
                    std::string(page_content_name(o.content)).c_str(), wall, sum_user, sum_sys,
                    throughput, max_free, (unsigned long long)bad_pages);
        for (unsigned i = 0; i < o.processes; ++i) {
            const Report& r = shared->reports[i];
            std::printf("%s{\"init_s\":%.6f,\"write_s\":%.6f,\"verify_s\":%.6f,\"free_s\":%.6f,"
                        "\"user_s\":%.6f,\"sys_s\":%.6f,\"corrupt_pages\":%llu}",
                        i ? "," : "", r.init_s, r.write_s, r.verify_s, r.free_s, r.user_s, r.sys_s,
                        (unsigned long long)r.mismatched_pages);
        }
        std::printf("],\"ok\":%s}\n", exit_code == 0 ? "true" : "false");
    } else {
        for (unsigned i = 0; i < o.processes; ++i) {
            const Report& r = shared->reports[i];
            std::printf("usemem: process %u: %s", i, format_size(r.pages * kPage).c_str());
            if (o.init_time)
                std::printf(", init %.3f s", r.init_s);
            std::printf(", write %.3f s, verify %.3f s, free %.6f s\n", r.write_s, r.verify_s,
                        r.free_s);
        }
        std::printf("usemem: %s in %.3f s (%.1f MB/s), user %.3f s, sys %.3f s, %s\n",
                    format_size(total_bytes).c_str(), wall, throughput / 1e6, sum_user, sum_sys,
                    exit_code == 0 ? "all pages verified" : "FAILED");
    }
    return exit_code;
}

} // namespace vswap
