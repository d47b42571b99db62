// The vswap counters follow what is swapped: entries appear while pages
// are out (backed by a slot on a disk) and every gauge returns to 0 once
// the pages are gone. Only meaningful where the vswap layer is active.
#include "guest/sysfs.h"
#include "guest/tests/child.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

namespace vswap::tests {
namespace {

void counters_follow_swap(TestContext& ctx) {
    Mapping m = Mapping::anonymous(16 * MiB);
    fill_pages(m.data(), m.pages(), PageContent::Compressible, 61);
    auto before = sysfs::read_vswap_counters();
    auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    auto during = sysfs::read_vswap_counters();
    require(before && during, "the vswap counters disappeared");
    ctx.note("before", before->values);
    ctx.note("while_swapped", during->values);
    const uint64_t entries = during->values["entries"] - before->values["entries"];
    require(entries >= pm.swapped * 9 / 10, "entries rose by " + std::to_string(entries) +
                                                " while " + std::to_string(pm.swapped) +
                                                " pages were swapped out");
    if (during->values.count("backing_phys"))
        require(during->values["backing_phys"] >= pm.swapped * 9 / 10,
                "backing_phys is " + std::to_string(during->values["backing_phys"]) + " with " +
                    std::to_string(pm.swapped) + " pages on the disk");
    require_intact(m.data(), m.pages(), PageContent::Compressible, 61, "after swap-in");
    // Shared entries: swap out, fork, let both exit.
    push_out(m.data(), m.bytes(), ctx.main_cgroup());
    ChildProcess child([&] { return 0; });
    require(child.wait(30).ok(), "the forked child failed");
    m = Mapping();
    // The device is still on here, so the runner's check after swapoff is
    // the strict one; entries of freed pages must be gone already (the
    // per-CPU slot caches may hold up to 64 each).
    std::optional<sysfs::VswapCounters> after;
    wait_until(
        [&] {
            after = sysfs::read_vswap_counters();
            return after && after->values["entries"] <= before->values["entries"] + 2 * 64;
        },
        5, 0.1);
    ctx.note("after_unmap", after->values);
    require(after->values["entries"] <= before->values["entries"] + 2 * 64,
            "entries still " + std::to_string(after->values["entries"]) +
                " after every swapped page was unmapped");
}

} // namespace

void add_leak_tests(std::vector<TestCase>& tests) {
    TestCase t;
    t.name = "leak.counters";
    t.summary = "vswap counters track swapped pages and return to 0 (vswap only)";
    t.backend = BackendKind::Disk;
    t.needs_vswap = true;
    t.body = counters_follow_swap;
    tests.push_back(t);
}

} // namespace vswap::tests
