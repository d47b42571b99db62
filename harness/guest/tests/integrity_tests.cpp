// Integrity on every backend: per-page patterns of four kinds survive a
// swap-out and swap-in, both when paged out on purpose (MADV_PAGEOUT plus
// memory.reclaim, so the data really leaves memory) and under memory.max
// pressure.
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"
#include "guest/tests/workloads.h"

namespace vswap::tests {
namespace {

constexpr size_t kBytesPerContent = 8 * MiB;

void integrity(TestContext& ctx) {
    const PageContent contents[] = {PageContent::Random, PageContent::Zero, PageContent::SameFilled,
                                    PageContent::Compressible};
    const uint64_t seed = 42;
    std::vector<Mapping> maps;
    for (PageContent c : contents) {
        maps.push_back(Mapping::anonymous(kBytesPerContent));
        fill_pages(maps.back().data(), maps.back().pages(), c, seed);
    }

    // Phase 1: page out on purpose, then read back.
    const uint64_t out0 = swapped_out_total();
    nlohmann::json swapped = nlohmann::json::object();
    size_t total_swapped = 0, total_pages = 0;
    for (size_t i = 0; i < maps.size(); ++i) {
        auto pm = push_out(maps[i].data(), maps[i].bytes(), ctx.main_cgroup());
        swapped[std::string(page_content_name(contents[i]))] = pm.swapped;
        total_swapped += pm.swapped;
        total_pages += maps[i].pages();
    }
    const uint64_t out = swapped_out_total() - out0;
    ctx.note("paged_out_per_content", swapped);
    const uint64_t in0 = swapped_in_total();
    for (size_t i = 0; i < maps.size(); ++i)
        require_intact(maps[i].data(), maps[i].pages(), contents[i], seed,
                       "after MADV_PAGEOUT and swap-in");
    const uint64_t in = swapped_in_total() - in0;
    ctx.note("pageout_phase", {{"pages", total_pages},
                               {"swapped_out", out},
                               {"swapped_in", in},
                               {"pm_swap_pages", total_swapped}});
    require(total_swapped >= total_pages * 9 / 10,
            "only " + std::to_string(total_swapped) + " of " + std::to_string(total_pages) +
                " pages were swapped out by MADV_PAGEOUT + memory.reclaim");
    require(in >= total_pages / 2, "only " + std::to_string(in) + " of " +
                                       std::to_string(total_pages) +
                                       " pages came back from the backend (swap-cache hits?)");
    maps.clear();

    // Phase 2: reclaim under memory.max, mixed contents in one range.
    PressureOptions o;
    o.bytes = 48 * MiB;
    o.memory_max = 16 * MiB;
    const uint64_t out_before = swapped_out_total();
    auto run = run_pressure(ctx, o);
    require_clean(run, "under memory.max pressure");
    const uint64_t pressured = swapped_out_total() - out_before;
    ctx.note("pressure_phase", {{"bytes", o.bytes},
                                {"memory_max", o.memory_max},
                                {"swapped_out", pressured},
                                {"pswpout", run.vmstat_delta["pswpout"]},
                                {"zswpout", run.vmstat_delta["zswpout"]},
                                {"swpout_zero", run.vmstat_delta["swpout_zero"]},
                                {"peak", run.peak}});
    require(pressured >= (o.bytes - o.memory_max) / kPage / 2,
            "under memory.max only " + std::to_string(pressured) + " pages were swapped out");
}

} // namespace

void add_integrity_tests(std::vector<TestCase>& tests) {
    for (BackendKind kind : kAllBackends) {
        TestCase t;
        t.name = "integrity." + std::string(backend_name(kind));
        t.summary = "random, zero, same-filled and compressible pages survive swap on " +
                    std::string(backend_name(kind));
        t.backend = kind;
        t.needs_vswap = kind == BackendKind::ZswapOnly;
        t.body = integrity;
        tests.push_back(t);
    }
}

} // namespace vswap::tests
