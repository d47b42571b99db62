// Workingset shadows of swapped-out anonymous pages: reclaim leaves one
// for each page it swaps out, and the page's swapin finds it and counts a
// refault. vswap keeps shadows beside its descriptors rather than in the
// swap cache, so this checks that they are still stored, found and used.
#include "guest/backend.h"
#include "guest/sysfs.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <string>

namespace vswap::tests {
namespace {

constexpr PageContent kContent = PageContent::Compressible;

void workingset_refault(TestContext& ctx) {
    auto m = Mapping::anonymous(16 * MiB);
    fill_pages(m.data(), m.pages(), kContent, 81);
    auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    require_mostly_swapped(pm);

    auto before = sysfs::read_vmstat();
    const uint64_t in_before = swapped_in_total();
    require_intact(m.data(), m.pages(), kContent, 81, "after swapin");
    const uint64_t swapped_in = swapped_in_total() - in_before;
    auto delta = sysfs::counter_delta(before, sysfs::read_vmstat());
    const uint64_t refaults = delta["workingset_refault_anon"];
    ctx.note("refault", {{"swapped_out", pm.swapped},
                         {"swapped_in", swapped_in},
                         {"workingset_refault_anon", refaults},
                         {"workingset_activate_anon", delta["workingset_activate_anon"]}});
    require(swapped_in >= pm.swapped / 2,
            "only " + std::to_string(swapped_in) + " of " + std::to_string(pm.swapped) +
                " swapped-out pages were read back: nothing was tested");
    // Every page read back was reclaimed with a shadow (readahead reads
    // neighbours, reclaimed alike, and counts them as it reads them).
    require(refaults >= swapped_in * 9 / 10,
            std::to_string(swapped_in) + " pages were read back but only " +
                std::to_string(refaults) + " counted as workingset refaults: shadows were lost");
}

} // namespace

void add_workingset_tests(std::vector<TestCase>& tests) {
    for (BackendKind kind : {BackendKind::Disk, BackendKind::Zswap}) {
        TestCase t;
        t.name = "workingset.refault." + std::string(backend_name(kind));
        t.summary = "pages swapped out by reclaim count a workingset refault as they are read back";
        t.backend = kind;
        t.body = workingset_refault;
        tests.push_back(t);
    }
}

} // namespace vswap::tests
