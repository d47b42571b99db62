#include "guest/workloads/pagecost.h"

#include "common/text.h"
#include "guest/pattern.h"
#include "guest/workloads/reclaim.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <getopt.h>
#include <nlohmann/json.hpp>
#include <sys/mman.h>
#include <sys/resource.h>

namespace vswap {
namespace {

constexpr size_t kPage = 4096;

// CPU time of the calling thread (user + kernel), exact: the scheduler's
// runtime, not tick samples.
uint64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Times the thread slept (voluntary context switches): waits for I/O or
// for a lock, whose wake-ups and switches the CPU clock also counts.
uint64_t thread_waits() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return static_cast<uint64_t>(usage.ru_nvcsw);
}

struct PhaseCost {
    double cpu_ns = 0; // thread CPU per page
    uint64_t waits = 0;
};

// Runs `phase` and returns the thread CPU it took per page, and its waits.
template <typename Phase> PhaseCost measure(uint64_t pages, Phase&& phase) {
    const uint64_t start = thread_cpu_ns();
    const uint64_t waits = thread_waits();
    phase();
    return {static_cast<double>(thread_cpu_ns() - start) / static_cast<double>(pages),
            thread_waits() - waits};
}

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: vswap-guest pagecost [--content C] [--seed S] [--json] SIZE\n"
                 "Fills SIZE of anonymous memory (content: compressible, the default, random,\n"
                 "samefill or zero), then measures the thread CPU per page of each swap\n"
                 "operation: MADV_PAGEOUT (pageout), memory.reclaim dropping the written pages\n"
                 "from the swap cache (drop), a read fault on every page (swapin; one load per\n"
                 "page, so this is kernel time), and, after the pages are verified and paged\n"
                 "out again, munmap of the swapped-out range (free). Kernels may do work in\n"
                 "a different phase (freeing an entry at swap-in rather than at munmap), so\n"
                 "compare totals. Fails when a page is wrong or when nothing was swapped out.\n");
}

} // namespace

int pagecost_main(int argc, char** argv) {
    enum { kContent = 1000, kSeed, kJson, kHelp };
    static const option longopts[] = {{"content", required_argument, nullptr, kContent},
                                      {"seed", required_argument, nullptr, kSeed},
                                      {"json", no_argument, nullptr, kJson},
                                      {"help", no_argument, nullptr, kHelp},
                                      {nullptr, 0, nullptr, 0}};
    PageContent content = PageContent::Compressible;
    uint64_t seed = 1;
    bool json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, nullptr)) != -1) {
        switch (c) {
        case kContent:
            if (auto parsed = parse_page_content(optarg)) {
                content = *parsed;
                break;
            }
            std::fprintf(stderr, "pagecost: unknown content '%s'\n", optarg);
            usage(stderr);
            return 2;
        case kSeed:
            seed = std::strtoull(optarg, nullptr, 0);
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
    auto bytes = optind + 1 == argc ? parse_size(argv[optind]) : std::nullopt;
    if (!bytes || *bytes < kPage) {
        usage(stderr);
        return 2;
    }
    const uint64_t pages = *bytes / kPage;
    auto* map = static_cast<uint64_t*>(
        mmap(nullptr, pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (map == MAP_FAILED) {
        std::fprintf(stderr, "pagecost: mmap: %s\n", std::strerror(errno));
        return 3;
    }
    for (uint64_t p = 0; p < pages; ++p)
        fill_page(map + p * kWordsPerPage, content, seed, p);

    std::string error;
    auto page_out = [&] {
        if (error.empty() && madvise(map, pages * kPage, MADV_PAGEOUT) != 0)
            error = std::string("madvise(MADV_PAGEOUT): ") + std::strerror(errno);
    };
    auto drop_cache = [&] {
        if (error.empty())
            error = reclaim_own_cgroup(pages * kPage);
    };
    const PhaseCost pageout = measure(pages, page_out);
    const PhaseCost drop = measure(pages, drop_cache);
    const uint64_t swapped = vm_swap_bytes();
    if (error.empty() && swapped == 0)
        error = "MADV_PAGEOUT swapped nothing out (VmSwap stayed 0): the backend took no page";

    // One load per page: the fault, not the loop, is what this times.
    volatile uint64_t sink = 0;
    const PhaseCost swapin = measure(pages, [&] {
        for (uint64_t p = 0; p < pages; ++p)
            sink = sink + map[p * kWordsPerPage];
    });

    uint64_t corrupt = 0;
    for (uint64_t p = 0; p < pages; ++p) {
        auto bad = verify_page(map + p * kWordsPerPage, content, seed, p);
        if (bad && corrupt++ == 0) {
            char text[160];
            std::snprintf(text, sizeof text, "page %llu word %zu: expected %016llx, got %016llx",
                          (unsigned long long)p, bad->word, (unsigned long long)bad->expected,
                          (unsigned long long)bad->actual);
            error = text;
        }
    }
    if (corrupt)
        error = std::to_string(corrupt) + " corrupt page(s), first: " + error;

    // Swapped out again, so that munmap frees swap entries, not pages.
    page_out();
    drop_cache();
    const PhaseCost freeing = measure(pages, [&] { munmap(map, pages * kPage); });

    if (json) {
        nlohmann::json j = {
            {"workload", "pagecost"},
            {"ok", error.empty()},
            {"error", error},
            {"pages", pages},
            {"content", std::string(page_content_name(content))},
            {"metrics",
             {{"pageout_ns", pageout.cpu_ns},
              {"drop_ns", drop.cpu_ns},
              {"swapin_ns", swapin.cpu_ns},
              {"free_ns", freeing.cpu_ns},
              {"total_ns", pageout.cpu_ns + drop.cpu_ns + swapin.cpu_ns + freeing.cpu_ns},
              {"pageout_waits", pageout.waits},
              {"drop_waits", drop.waits},
              {"swapin_waits", swapin.waits},
              {"free_waits", freeing.waits},
              {"swapped_mib", swapped / 1048576.0},
              {"corrupt_pages", corrupt}}}};
        std::printf("%s\n", j.dump().c_str());
    } else {
        std::printf("pagecost: %s in %llu %s pages, thread CPU per page: pageout %.0f ns, "
                    "drop %.0f ns, swapin %.0f ns, free %.0f ns; waits %llu/%llu/%llu/%llu%s%s\n",
                    format_size(pages * kPage).c_str(), (unsigned long long)pages,
                    std::string(page_content_name(content)).c_str(), pageout.cpu_ns, drop.cpu_ns,
                    swapin.cpu_ns, freeing.cpu_ns, (unsigned long long)pageout.waits,
                    (unsigned long long)drop.waits, (unsigned long long)swapin.waits,
                    (unsigned long long)freeing.waits,
                    error.empty() ? "" : ": FAILED: ", error.c_str());
    }
    return error.empty() ? 0 : 1;
}

} // namespace vswap
