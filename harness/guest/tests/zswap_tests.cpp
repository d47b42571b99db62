// zswap writeback to the disk, through the memcg-aware shrinker under
// memory.max pressure, through memory.reclaim, and through the pool
// limit's shrink worker. Data written back must read back intact.
#include "guest/sysfs.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"
#include "guest/tests/workloads.h"

#include <algorithm>

namespace vswap::tests {
namespace {

const std::filesystem::path kZswapDebug = "/sys/kernel/debug/zswap";

void note_run(TestContext& ctx, const std::string& key, PressureRun& run) {
    ctx.note(key, {{"zswpout", run.vmstat_delta["zswpout"]},
                   {"zswpin", run.vmstat_delta["zswpin"]},
                   {"zswpwb", run.vmstat_delta["zswpwb"]},
                   {"pswpout", run.vmstat_delta["pswpout"]},
                   {"pswpin", run.vmstat_delta["pswpin"]}});
}

void writeback_shrinker(TestContext& ctx) {
    // Memory pressure alone: the cgroup's compressed pool is charged to it,
    // so the shrinker has to push old entries out to the disk.
    PressureOptions o;
    o.bytes = 96 * MiB;
    o.memory_max = 12 * MiB;
    o.mixed = false;
    o.timeout_s = 150;
    auto run = run_pressure(ctx, o);
    require_clean(run, "workload under memory.max");
    note_run(ctx, "pressure", run);
    require(run.vmstat_delta["zswpout"] > 0, "nothing was stored in zswap");
    require(run.vmstat_delta["zswpwb"] > 0,
            "the zswap shrinker wrote nothing back under memory.max pressure");
}

void writeback_reclaim(TestContext& ctx) {
    PressureOptions o;
    o.bytes = 32 * MiB;
    o.mixed = true;
    o.verify_again = true;
    o.while_held = [](const Cgroup& cg) {
        // First everything into zswap, then reclaim again: with the LRU empty,
        // reclaim falls to the shrinker, which writes back.
        for (int i = 0; i < 8; ++i)
            sysfs::try_write_text(cg.path() / "memory.reclaim", std::to_string(64 * MiB));
        wait_for_writeback();
    };
    auto run = run_pressure(ctx, o);
    require_clean(run, "workload pushed out with memory.reclaim");
    note_run(ctx, "reclaim", run);
    require(run.vmstat_delta["zswpout"] > 0, "memory.reclaim stored nothing in zswap");
    require(run.vmstat_delta["zswpwb"] > 0, "memory.reclaim wrote nothing back from zswap");
    require(run.vmstat_delta["pswpin"] > 0,
            "no written-back page was read back from the disk by the second verify");
}

// The pool limit: once zswap's pool reaches max_pool_percent of RAM,
// stores are refused (and the shrink worker may write back) until it has
// room; the pool never grows past the limit and no data is lost.
void pool_limit(TestContext& ctx) {
    const uint64_t ram = sysfs::read_meminfo()["MemTotal"];
    const uint64_t limit = ram / 100; // max_pool_percent=1 (set by the backend)
    const uint64_t hits0 = sysfs::read_u64_if_exists(kZswapDebug / "pool_limit_hit").value_or(0);
    uint64_t highest = 0;
    PressureOptions o;
    o.bytes = 64 * MiB;
    o.memory_max = 16 * MiB;
    o.mixed = false;
    o.verify_again = true;
    o.sample = [&](const Cgroup&) {
        if (auto size = sysfs::read_u64_if_exists(kZswapDebug / "pool_total_size"))
            highest = std::max(highest, *size);
    };
    auto run = run_pressure(ctx, o);
    require_clean(run, "workload over a 1% zswap pool");
    note_run(ctx, "pool_limit", run);
    const uint64_t hits =
        sysfs::read_u64_if_exists(kZswapDebug / "pool_limit_hit").value_or(0) - hits0;
    ctx.note("pool", {{"limit_bytes", limit}, {"highest_sampled", highest}, {"limit_hits", hits}});
    require(hits > 0, "the 1% pool limit was never hit");
    require(highest <= limit + 256 * 1024, "the zswap pool reached " + std::to_string(highest) +
                                               " bytes, over its limit of " +
                                               std::to_string(limit));
    require(run.vmstat_delta["pswpout"] > 0, "with the pool full nothing went to the disk");
}

TestCase make(const std::string& name, const std::string& summary, void (*body)(TestContext&),
              bool shrinker, unsigned pool_percent = 0) {
    TestCase t;
    t.name = name;
    t.summary = summary;
    t.backend = BackendKind::Zswap;
    t.backend_options.zswap_shrinker = shrinker;
    t.backend_options.zswap_max_pool_percent = pool_percent;
    t.timeout_s = 180;
    t.body = body;
    return t;
}

} // namespace

void add_zswap_tests(std::vector<TestCase>& tests) {
    tests.push_back(make("zswap.writeback.shrinker",
                         "the zswap shrinker writes back under memory.max pressure",
                         writeback_shrinker, true));
    tests.push_back(make("zswap.writeback.reclaim",
                         "memory.reclaim writes zswap back to disk; data reads back intact",
                         writeback_reclaim, true));
    tests.push_back(make("zswap.pool_limit",
                         "a full zswap pool (max_pool_percent=1) stays within its limit; the "
                         "rest goes to disk intact",
                         pool_limit, false, 1));
}

} // namespace vswap::tests
