// Exhaustion: when swap runs out, the OOM killer ends the workload
// cleanly (no hang) and the swap it held is freed; in a memory cgroup and
// for the whole guest.
#include "guest/sysfs.h"
#include "guest/tests/cgroup.h"
#include "guest/tests/child.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <algorithm>
#include <sys/mman.h>

namespace vswap::tests {
namespace {

constexpr uint64_t kSwapBytes = 32 * MiB;

// Writes `bytes` page by page and never finishes when memory runs out.
int hog(uint64_t bytes) {
    sysfs::write_text("/proc/self/oom_score_adj", "1000");
    Mapping m = Mapping::anonymous(bytes);
    fill_pages(m.data(), m.pages(), PageContent::Random, 51);
    return 3; // it should never get here
}

struct Outcome {
    ChildExit exit;
    // The highest swap use seen: sampled from /proc/swaps, and the hog's
    // memory.swap.peak, which the kernel keeps exactly (the sampler itself
    // may be stuck in reclaim while the last slots fill).
    uint64_t sampled_used = 0, cgroup_peak = 0, size = 0, used_after = 0;
    uint64_t highest_used() const { return std::max(sampled_used, cgroup_peak); }
};

Outcome exhaust(TestContext& ctx, const std::filesystem::path& cgroup, uint64_t bytes) {
    const std::string area = ctx.require_backend().swap_area()->string();
    Outcome out;
    ChildProcess child([&] { return hog(bytes); }, cgroup);
    wait_until(
        [&] {
            if (auto s = find_active_swap(area)) {
                out.sampled_used = std::max(out.sampled_used, s->used_bytes);
                out.size = s->size_bytes;
            }
            return child.poll().has_value();
        },
        150, 0.02);
    out.exit = child.wait(0.1);
    out.cgroup_peak = sysfs::read_u64_if_exists(cgroup / "memory.swap.peak").value_or(0);
    // The hog's own swap (others may have been swapped out too).
    wait_until(
        [&] {
            out.used_after = sysfs::read_u64(cgroup / "memory.swap.current");
            return out.used_after <= 2 * 64 * kPage;
        },
        5, 0.1);
    return out;
}

void check(TestContext& ctx, const std::string& what, const Outcome& o) {
    ctx.note(what, {{"exit", o.exit.describe()},
                    {"swap_size", o.size},
                    {"highest_swap_used", o.highest_used()},
                    {"sampled_swap_used", o.sampled_used},
                    {"hog_swap_peak", o.cgroup_peak},
                    {"hog_swap_current_after", o.used_after}});
    require_oom_killed(o.exit, what);
    require(o.highest_used() >= o.size * 9 / 10, what + ": swap never filled up (highest use " +
                                                     std::to_string(o.highest_used()) + " of " +
                                                     std::to_string(o.size) + " bytes)");
    require(o.used_after <= 2 * 64 * kPage,
            what + ": " + std::to_string(o.used_after) +
                " bytes of swap still charged to the killed workload");
}

void memcg_oom(TestContext& ctx) {
    Cgroup cg(ctx.cgroup_root(), "hog");
    cg.set("memory.max", std::to_string(32 * MiB));
    auto o = exhaust(ctx, cg.path(), 160 * MiB);
    auto events = cg.events();
    ctx.note("oom_kill", events["oom_kill"]);
    check(ctx, "memcg", o);
    require(events["oom_kill"] >= 1, "memory.events oom_kill did not count the kill");
}

void global_oom(TestContext& ctx) {
    // The agent and the test body are protected; the hog volunteers.
    sysfs::write_text("/proc/self/oom_score_adj", "-1000");
    // Let the mapping through so that running out happens at fault time.
    sysfs::write_text("/proc/sys/vm/overcommit_memory", "1");
    const uint64_t ram = sysfs::read_meminfo()["MemTotal"];
    const uint64_t before = sysfs::read_vmstat()["oom_kill"];
    Cgroup cg(ctx.cgroup_root(), "hog");
    auto o = exhaust(ctx, cg.path(), ram + kSwapBytes + 64 * MiB);
    const uint64_t kills = sysfs::read_vmstat()["oom_kill"] - before;
    ctx.note("oom_kill", kills);
    check(ctx, "global", o);
    require(kills >= 1, "/proc/vmstat oom_kill did not count the kill");
}

TestCase make(const std::string& name, const std::string& summary, void (*body)(TestContext&)) {
    TestCase t;
    t.name = name;
    t.summary = summary;
    t.backend = BackendKind::Disk;
    t.backend_options.size_bytes = kSwapBytes;
    t.timeout_s = 200;
    t.body = body;
    return t;
}

} // namespace

void add_exhaustion_tests(std::vector<TestCase>& tests) {
    tests.push_back(make("exhaustion.memcg",
                         "a cgroup that runs swap out is OOM-killed cleanly; its swap is freed",
                         memcg_oom));
    tests.push_back(make("exhaustion.global",
                         "the guest runs out of RAM and swap: a clean OOM kill, no hang",
                         global_oom));
}

} // namespace vswap::tests
