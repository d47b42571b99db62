#include "guest/workloads/samefill.h"

#include "common/text.h"
#include "guest/pattern.h"
#include "guest/workloads/latency.h"
#include "guest/workloads/reclaim.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <nlohmann/json.hpp>
#include <sys/mman.h>

namespace vswap {
namespace {

constexpr size_t kPage = 4096;

void usage(FILE* out) {
    std::fprintf(out, "usage: vswap-guest samefill [--zero-every N] [--seed S] [--json] SIZE\n"
                      "Fills SIZE of anonymous memory with pages that are either all zero (every\n"
                      "Nth page, default 2) or one non-zero word repeated, pages it all out with\n"
                      "MADV_PAGEOUT and frees the swap cache (memory.reclaim of its cgroup), then\n"
                      "reads every page back and verifies it. Fails when a page is wrong or when\n"
                      "nothing was swapped out.\n");
}

} // namespace

int samefill_main(int argc, char** argv) {
    enum { kZeroEvery = 1000, kSeed, kJson, kHelp };
    static const option longopts[] = {{"zero-every", required_argument, nullptr, kZeroEvery},
                                      {"seed", required_argument, nullptr, kSeed},
                                      {"json", no_argument, nullptr, kJson},
                                      {"help", no_argument, nullptr, kHelp},
                                      {nullptr, 0, nullptr, 0}};
    unsigned zero_every = 2;
    uint64_t seed = 1;
    bool json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, nullptr)) != -1) {
        switch (c) {
        case kZeroEvery:
            zero_every = static_cast<unsigned>(std::strtoul(optarg, nullptr, 10));
            break;
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
    if (!bytes || *bytes < kPage || zero_every == 0) {
        usage(stderr);
        return 2;
    }
    const uint64_t pages = *bytes / kPage;
    auto content = [&](uint64_t p) {
        return p % zero_every == 0 ? PageContent::Zero : PageContent::SameFilled;
    };

    std::string error;
    auto* map = static_cast<uint64_t*>(
        mmap(nullptr, pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (map == MAP_FAILED) {
        std::fprintf(stderr, "samefill: mmap: %s\n", std::strerror(errno));
        return 3;
    }
    const uint64_t t_fill = monotonic_ns();
    for (uint64_t p = 0; p < pages; ++p)
        fill_page(map + p * kWordsPerPage, content(p), seed, p);
    const double fill_s = (monotonic_ns() - t_fill) / 1e9;

    // MADV_PAGEOUT writes the pages out; reclaiming the cgroup then frees
    // those still in the swap cache, so that reading back goes to the backend.
    const uint64_t t_out = monotonic_ns();
    if (madvise(map, pages * kPage, MADV_PAGEOUT) != 0)
        error = std::string("madvise(MADV_PAGEOUT): ") + std::strerror(errno);
    const double pageout_s = (monotonic_ns() - t_out) / 1e9;
    const uint64_t t_drop = monotonic_ns();
    if (error.empty())
        error = reclaim_own_cgroup(pages * kPage);
    const double drop_s = (monotonic_ns() - t_drop) / 1e9;
    const uint64_t swapped = vm_swap_bytes();
    if (error.empty() && swapped == 0)
        error = "MADV_PAGEOUT swapped nothing out (VmSwap stayed 0): the backend took no page";

    std::vector<uint32_t> readback_ns(pages);
    uint64_t corrupt = 0;
    const uint64_t t_back = monotonic_ns();
    uint64_t last = t_back;
    for (uint64_t p = 0; p < pages; ++p) {
        auto bad = verify_page(map + p * kWordsPerPage, content(p), seed, p);
        uint64_t t = monotonic_ns();
        readback_ns[p] = saturate_ns(t - last);
        last = t;
        if (bad && corrupt++ == 0) {
            char text[200];
            std::snprintf(
                text, sizeof text, "page %llu (%s) word %zu: expected %016llx, got %016llx",
                (unsigned long long)p, std::string(page_content_name(content(p))).c_str(),
                bad->word, (unsigned long long)bad->expected, (unsigned long long)bad->actual);
            error = text;
        }
    }
    const double readback_s = (monotonic_ns() - t_back) / 1e9;
    munmap(map, pages * kPage);
    if (corrupt)
        error = std::to_string(corrupt) + " corrupt page(s), first: " + error;

    if (json) {
        nlohmann::json j = {{"workload", "samefill"},
                            {"ok", error.empty()},
                            {"error", error},
                            {"pages", pages},
                            {"zero_every", zero_every},
                            {"metrics",
                             {{"fill_s", fill_s},
                              {"pageout_s", pageout_s},
                              {"drop_s", drop_s},
                              {"readback_s", readback_s},
                              {"readback_p50_us", latency_quantile_us(readback_ns, 0.5)},
                              {"readback_p99_us", latency_quantile_us(readback_ns, 0.99)},
                              {"swapped_mib", swapped / 1048576.0},
                              {"corrupt_pages", corrupt}}},
                            {"latency", latency_json({{"readback", &readback_ns}})}};
        std::printf("%s\n", j.dump().c_str());
    } else {
        std::printf("samefill: %s in %llu pages (1 in %u zero): fill %.3f s, pageout %.3f s "
                    "(%s swapped), read back %.3f s, p99 %.1f us%s%s\n",
                    format_size(pages * kPage).c_str(), (unsigned long long)pages, zero_every,
                    fill_s, pageout_s, format_size(swapped).c_str(), readback_s,
                    latency_quantile_us(readback_ns, 0.99),
                    error.empty() ? "" : ": FAILED: ", error.c_str());
    }
    return error.empty() ? 0 : 1;
}

} // namespace vswap
