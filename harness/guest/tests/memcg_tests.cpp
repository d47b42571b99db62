// memcg limits are enforced and the counters agree with what the workload
// did: memory.max, memory.swap.max, memory.zswap.max and
// memory.zswap.writeback.
#include "guest/backend.h"
#include "guest/sysfs.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"
#include "guest/tests/workloads.h"

#include <algorithm>

namespace vswap::tests {
namespace {

// Swap freed by an exiting process can sit in the per-CPU swap slot
// caches (64 slots per CPU) with its memcg charge until they flush.
constexpr uint64_t kSlotCacheSlack = 2 * 64 * kPage;

void memcg_max(TestContext& ctx) {
    PressureOptions o;
    o.bytes = 48 * MiB;
    o.memory_max = 16 * MiB;
    // Pages that each take a slot on every kernel (virtual swap stores
    // zero and same-filled pages in no slot, and charges no swap for them).
    o.mixed = false;
    o.content = PageContent::Random;
    uint64_t current = 0, swap_current = 0;
    o.while_held = [&](const Cgroup& cg) {
        current = cg.read("memory.current");
        swap_current = cg.read("memory.swap.current");
    };
    auto run = run_pressure(ctx, o);
    require_clean(run, "memory.max workload");
    const uint64_t anon = run.stat_held["anon"];
    ctx.note("held", {{"memory.current", current},
                      {"memory.swap.current", swap_current},
                      {"anon", anon},
                      {"memory.peak", run.peak},
                      {"events.max", run.events["max"]},
                      {"swap_current_after_exit", run.swap_current_after}});
    require(run.peak <= o.memory_max,
            "memory.peak " + mib(run.peak) + " exceeds memory.max " + mib(o.memory_max));
    require(current <= o.memory_max, "memory.current " + mib(current) + " exceeds memory.max");
    require(run.events["max"] > 0, "memory.events max did not count the limit being hit");
    // Every page not resident must be in swap (a disk backend: one slot each).
    const uint64_t slack = 1 * MiB;
    require(anon + swap_current + slack >= o.bytes,
            "anon " + mib(anon) + " + memory.swap.current " + mib(swap_current) +
                " do not cover the " + mib(o.bytes) + " written");
    require(swap_current >= o.bytes - o.memory_max - slack,
            "memory.swap.current " + mib(swap_current) + " is less than the " +
                mib(o.bytes - o.memory_max) + " that cannot be resident");
    require(swap_current <= o.bytes + slack,
            "memory.swap.current " + mib(swap_current) + " exceeds what was written");
    require(run.swap_current_after <= kSlotCacheSlack,
            "memory.swap.current is " + mib(run.swap_current_after) + " after the workload exited");
}

// Random pages, which each need a slot, over memory.max + memory.swap.max
// in cgroup `name`: the limit holds and the overflow is a clean OOM kill.
void overflow_swap_max(TestContext& ctx, const std::string& name, uint64_t bytes,
                       uint64_t swap_max) {
    PressureOptions o;
    o.cgroup = name;
    o.bytes = bytes;
    o.memory_max = 16 * MiB;
    o.swap_max = swap_max;
    o.mixed = false;
    o.content = PageContent::Random;
    o.timeout_s = 90;
    auto run = run_pressure(ctx, o);
    ctx.note(name, {{"exit", run.exit.describe()},
                    {"memory.swap.peak", run.swap_peak},
                    {"events.oom_kill", run.events["oom_kill"]},
                    {"swap.events.max", run.swap_events["max"]},
                    {"swap.events.fail", run.swap_events["fail"]},
                    {"zswpout", run.vmstat_delta["zswpout"]}});
    require_oom_killed(run.exit, name + ": " + mib(bytes - o.memory_max - swap_max) +
                                     " over memory.max + memory.swap.max");
    require(run.events["oom_kill"] >= 1, name + ": memory.events oom_kill did not count the kill");
    require(run.swap_peak > 0, name + ": memory.swap.peak is 0: nothing was swapped");
    require(run.swap_peak <= swap_max, name + ": memory.swap.peak " + mib(run.swap_peak) +
                                           " exceeds memory.swap.max " + mib(swap_max));
    // An event means a charge tried to go past the limit and failed. When
    // usage lands exactly on the limit, reclaim stops trying and the kernel
    // rightly counts none: the limit was reached and held either way.
    require(run.swap_events["max"] + run.swap_events["fail"] >= 1 || run.swap_peak == swap_max,
            name + ": memory.swap.events counted no max/fail event and memory.swap.peak " +
                mib(run.swap_peak) + " never reached memory.swap.max");
    require(run.swap_current_after <= kSlotCacheSlack, name + ": memory.swap.current is " +
                                                           mib(run.swap_current_after) +
                                                           " after the workload was killed");
}

void memcg_swap_max(TestContext& ctx) {
    overflow_swap_max(ctx, "workload", 64 * MiB, 8 * MiB);
}

void memcg_zswap_max(TestContext& ctx) {
    // Part 1: memory.zswap.max caps the cgroup's compressed pool; the rest
    // goes to the disk.
    PressureOptions o;
    o.bytes = 48 * MiB;
    o.memory_max = 16 * MiB;
    o.zswap_max = 4 * MiB;
    o.mixed = false;
    uint64_t zswap_current = 0, swap_current = 0, zswap_highest = 0;
    o.sample = [&](const Cgroup& cg) {
        zswap_highest = std::max(zswap_highest, cg.read("memory.zswap.current"));
    };
    o.while_held = [&](const Cgroup& cg) {
        zswap_current = cg.read("memory.zswap.current");
        swap_current = cg.read("memory.swap.current");
    };
    auto run = run_pressure(ctx, o);
    require_clean(run, "memory.zswap.max workload");
    ctx.note("capped", {{"memory.zswap.current", zswap_current},
                        {"memory.zswap.current_highest_sampled", zswap_highest},
                        {"memory.swap.current", swap_current},
                        {"zswapped", run.stat_held["zswapped"]},
                        {"zswpout", run.vmstat_delta["zswpout"]},
                        {"pswpout", run.vmstat_delta["pswpout"]},
                        {"zswap_current_after_exit", run.zswap_current_after}});
    zswap_highest = std::max(zswap_highest, zswap_current);
    require(zswap_highest <= *o.zswap_max + 64 * 1024,
            "memory.zswap.current reached " + mib(zswap_highest) + ", over memory.zswap.max " +
                mib(*o.zswap_max));
    require(zswap_highest >= *o.zswap_max / 2,
            "memory.zswap.current never came near memory.zswap.max (highest " + mib(zswap_highest) +
                "): the cap was not exercised");
    require(run.vmstat_delta["zswpout"] > 0, "nothing was stored in zswap");
    require(run.vmstat_delta["pswpout"] > 0,
            "nothing went past zswap to the disk although memory.zswap.max was reached");
    require(run.zswap_current_after == 0,
            "memory.zswap.current is " + mib(run.zswap_current_after) + " after exit");

    // Part 2: memory.zswap.max=0 keeps the cgroup out of zswap entirely.
    PressureOptions z = o;
    z.cgroup = "nozswap";
    z.zswap_max = 0;
    z.while_held = nullptr;
    auto none = run_pressure(ctx, z);
    require_clean(none, "memory.zswap.max=0 workload");
    ctx.note("zero_cap",
             {{"zswpout", none.stat_held["zswpout"]}, {"pswpout", none.vmstat_delta["pswpout"]}});
    require(none.stat_held["zswpout"] == 0, "memory.zswap.max=0, yet the cgroup's zswpout is " +
                                                std::to_string(none.stat_held["zswpout"]));
    require(none.vmstat_delta["pswpout"] > 0, "with zswap closed nothing went to the disk");
}

// memory.swap counts physical slots only: zswap and fill backings are
// not swap space. First, memory.swap.max=0 with zswap on: the cgroup does
// not swap at all, zswap included, as the cgroup-v2 interface promises
// (every kernel), so the overflow is an OOM kill. Then, on virtual swap
// only, mixed pages under no swap limit: the charge equals the slots the
// cgroup took (its random pages, which zswap rejects), not its pages in
// zswap, and goes when it exits. Last, random pages under memory.swap.max:
// the limit holds when slots are charged at write-out, after zswap
// rejected the pages, and the overflow is an OOM kill, not a hang.
void memcg_swap_counts_slots(TestContext& ctx) {
    PressureOptions o;
    o.cgroup = "no-swap";
    o.bytes = 40 * MiB;
    o.memory_max = 16 * MiB;
    o.swap_max = 0;
    o.mixed = false;
    o.content = PageContent::Compressible;
    o.timeout_s = 90;
    uint64_t swap_highest = 0, zswap_highest = 0;
    o.sample = [&](const Cgroup& cg) {
        swap_highest = std::max(swap_highest, cg.read("memory.swap.current"));
        zswap_highest = std::max(zswap_highest, cg.read("memory.zswap.current"));
    };
    auto no_swap = run_pressure(ctx, o);
    ctx.note("swap_max_0", {{"exit", no_swap.exit.describe()},
                            {"memory.zswap.current_highest_sampled", zswap_highest},
                            {"memory.swap.current_highest_sampled", swap_highest},
                            {"memory.swap.peak", no_swap.swap_peak},
                            {"swap.events.fail", no_swap.swap_events["fail"]},
                            {"events.oom_kill", no_swap.events["oom_kill"]},
                            {"zswpout_all_cgroups", no_swap.vmstat_delta["zswpout"]}});
    require_oom_killed(no_swap.exit, "memory.swap.max=0: " + mib(o.bytes - o.memory_max) +
                                         " over memory.max with no swap allowed");
    require(zswap_highest == 0,
            "memory.swap.max=0, yet the cgroup put " + mib(zswap_highest) + " in zswap");
    require(no_swap.swap_peak == 0 && swap_highest == 0,
            "memory.swap.max=0, yet memory.swap.peak is " + mib(no_swap.swap_peak) + " (sampled " +
                mib(swap_highest) + ")");

    if (!kernel_has_slotless_entries())
        not_supported("memory.swap counts every swapped-out page on this kernel, zswap and "
                      "zero pages included (memory.swap.max=0 was honoured)");

    PressureOptions m;
    m.cgroup = "mixed";
    m.bytes = 48 * MiB;
    m.memory_max = 16 * MiB;
    uint64_t charged = 0, slots = 0;
    const uint64_t slots_before = vswap_counter("backing_phys");
    m.while_held = [&](const Cgroup& cg) {
        charged = cg.read("memory.swap.current");
        const uint64_t now = vswap_counter("backing_phys");
        slots = now > slots_before ? now - slots_before : 0;
    };
    auto mixed = run_pressure(ctx, m);
    require_clean(mixed, "mixed workload");
    const uint64_t zswapped = mixed.stat_held["zswapped"];
    ctx.note("mixed", {{"memory.swap.current", charged},
                       {"new_entries_on_slots", slots},
                       {"zswapped_bytes", zswapped},
                       {"pswpout", mixed.vmstat_delta["pswpout"]},
                       {"swap_current_after_exit", mixed.swap_current_after}});
    require(slots > 0, "no random page took a slot (zswap should reject them)");
    require(zswapped > 0, "no page was held in zswap");
    // Slot caches and other tasks' swap-outs shift the count by a little.
    const uint64_t slack = 64 * kPage;
    require(charged + slack >= slots * kPage && charged <= slots * kPage + slack,
            "memory.swap.current is " + mib(charged) + " for " + mib(slots * kPage) +
                " of new slots");
    require(mixed.swap_current_after == 0, "memory.swap.current is " +
                                               mib(mixed.swap_current_after) +
                                               " after the workload exited");

    // Slots charged at write-out, after zswap rejected the pages.
    overflow_swap_max(ctx, "slot-limit", 40 * MiB, 4 * MiB);
}

// Forces reclaim of a held workload so that zswap's shrinker runs.
void reclaim_hard(const Cgroup& cg) {
    for (int i = 0; i < 8; ++i)
        sysfs::try_write_text(cg.path() / "memory.reclaim", std::to_string(64 * MiB));
    wait_for_writeback();
}

void memcg_zswap_writeback(TestContext& ctx) {
    PressureOptions o;
    o.bytes = 32 * MiB;
    o.memory_max = 16 * MiB;
    o.mixed = false;
    o.verify_again = true;
    o.while_held = reclaim_hard;

    o.cgroup = "writeback-off";
    o.zswap_writeback = false;
    auto off = run_pressure(ctx, o);
    require_clean(off, "memory.zswap.writeback=0 workload");
    o.cgroup = "writeback-on";
    o.zswap_writeback = true;
    auto on = run_pressure(ctx, o);
    require_clean(on, "memory.zswap.writeback=1 workload");
    auto off_events = off.stat_held;
    ctx.note("writeback_off", {{"zswpout", off.vmstat_delta["zswpout"]},
                               {"zswpwb", off.vmstat_delta["zswpwb"]},
                               {"pswpout", off.vmstat_delta["pswpout"]}});
    ctx.note("writeback_on", {{"zswpout", on.vmstat_delta["zswpout"]},
                              {"zswpwb", on.vmstat_delta["zswpwb"]},
                              {"pswpout", on.vmstat_delta["pswpout"]}});
    require(off.vmstat_delta["zswpout"] > 0, "writeback=0: nothing was stored in zswap");
    require(off.vmstat_delta["zswpwb"] == 0, "memory.zswap.writeback=0, yet " +
                                                 std::to_string(off.vmstat_delta["zswpwb"]) +
                                                 " pages were written back");
    require(off.vmstat_delta["pswpout"] == 0, "memory.zswap.writeback=0, yet " +
                                                  std::to_string(off.vmstat_delta["pswpout"]) +
                                                  " pages were written to the disk");
    require(on.vmstat_delta["zswpwb"] > 0,
            "memory.zswap.writeback=1 and reclaim forced, yet nothing was written back");
}

TestCase make(const std::string& name, const std::string& summary, BackendKind backend,
              void (*body)(TestContext&), bool shrinker = false) {
    TestCase t;
    t.name = name;
    t.summary = summary;
    t.backend = backend;
    t.backend_options.zswap_shrinker = shrinker;
    t.body = body;
    return t;
}

} // namespace

void add_memcg_tests(std::vector<TestCase>& tests) {
    tests.push_back(make("memcg.max", "memory.max holds; swap counters match what was written",
                         BackendKind::Disk, memcg_max));
    tests.push_back(make("memcg.swap_max",
                         "memory.swap.max caps swap; the overflow is a clean OOM kill",
                         BackendKind::Disk, memcg_swap_max));
    tests.push_back(make("memcg.swap_counts_slots",
                         "memory.swap counts physical slots only; memory.swap.max=0 still "
                         "keeps a cgroup out of swap, zswap included",
                         BackendKind::Zswap, memcg_swap_counts_slots));
    tests.push_back(make("memcg.zswap_max",
                         "memory.zswap.max caps zswap (and 0 bypasses it); the rest goes to disk",
                         BackendKind::Zswap, memcg_zswap_max));
    tests.push_back(make("memcg.zswap_writeback",
                         "memory.zswap.writeback=0 keeps pages off the disk; =1 writes back",
                         BackendKind::Zswap, memcg_zswap_writeback, true));
}

} // namespace vswap::tests
