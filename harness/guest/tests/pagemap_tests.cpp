// /proc/self/pagemap reports PM_SWAP for swapped-out pages, and present
// again once they are touched.
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

namespace vswap::tests {
namespace {

void pagemap_swap(TestContext& ctx) {
    Mapping m = Mapping::anonymous(8 * MiB);
    const size_t pages = m.pages();
    fill_pages(m.data(), pages, PageContent::Compressible, 5);
    auto resident = scan_pagemap(m.data(), m.bytes());
    require(resident.present == pages, "before swap-out only " + std::to_string(resident.present) +
                                           " of " + std::to_string(pages) + " pages are present");
    auto out = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    ctx.note("after_pageout",
             {{"present", out.present}, {"swapped", out.swapped}, {"none", out.none}});
    require(out.none == 0,
            std::to_string(out.none) + " swapped-out pages have neither PM_PRESENT nor PM_SWAP");
    require(out.swapped >= pages * 9 / 10, "only " + std::to_string(out.swapped) + " of " +
                                               std::to_string(pages) + " pages show PM_SWAP");
    // Touch the first half: it must be present again; the second half's
    // page table entries must not change.
    const auto second_before = scan_pagemap(m.page(pages / 2), m.bytes() / 2);
    require_intact(m.data(), pages / 2, PageContent::Compressible, 5, "first half");
    auto first = scan_pagemap(m.data(), m.bytes() / 2);
    auto second = scan_pagemap(m.page(pages / 2), m.bytes() / 2);
    ctx.note("after_touching_half",
             {{"first_half_present", first.present}, {"second_half_swapped", second.swapped}});
    require(first.present == pages / 2,
            "touched pages not present: " + std::to_string(first.present) + " of " +
                std::to_string(pages / 2));
    require(second.swapped == second_before.swapped,
            "untouched pages changed: PM_SWAP on " + std::to_string(second.swapped) +
                " pages, was " + std::to_string(second_before.swapped));
    require_intact(m.page(pages / 2), pages / 2, PageContent::Compressible, 5, "second half",
                   pages / 2);
}

} // namespace

void add_pagemap_tests(std::vector<TestCase>& tests) {
    TestCase t;
    t.name = "pagemap.pm_swap";
    t.summary = "pagemap sets PM_SWAP on swapped pages and PM_PRESENT once they are touched";
    t.backend = BackendKind::Disk;
    t.body = pagemap_swap;
    tests.push_back(t);
}

} // namespace vswap::tests
