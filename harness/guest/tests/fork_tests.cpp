// fork and copy-on-write over swapped pages: after fork, parent and child
// each write their own pages; each must see exactly its own data, whether
// the pages were swapped out before the fork (shared swap entries) or
// after it (shared pages reclaimed through the rmap).
#include "guest/sysfs.h"
#include "guest/tests/child.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <atomic>
#include <sys/mman.h>
#include <thread>

namespace vswap::tests {
namespace {

constexpr size_t kBytes = 16 * MiB;
constexpr PageContent kContent = PageContent::Compressible;

// Page i holds the pattern of seed_even or seed_odd depending on its parity.
void fill_split(char* base, size_t pages, uint64_t seed_even, uint64_t seed_odd, bool even,
                bool odd) {
    for (size_t i = 0; i < pages; ++i)
        if ((i % 2 == 0 && even) || (i % 2 == 1 && odd))
            fill_page(reinterpret_cast<uint64_t*>(base + i * kPage), kContent,
                      i % 2 ? seed_odd : seed_even, i);
}

void require_split(const char* base, size_t pages, uint64_t seed_even, uint64_t seed_odd,
                   const std::string& what) {
    for (size_t i = 0; i < pages; ++i) {
        uint64_t seed = i % 2 ? seed_odd : seed_even;
        if (auto bad = verify_page(reinterpret_cast<const uint64_t*>(base + i * kPage), kContent,
                                   seed, i)) {
            char text[200];
            std::snprintf(text, sizeof text, ": page %zu word %zu expected %016llx got %016llx%s",
                          i, bad->word, (unsigned long long)bad->expected,
                          (unsigned long long)bad->actual,
                          page_is_zero(base + i * kPage) ? " (page reads as zero)" : "");
            fail(what + text);
        }
    }
}

struct Sync {
    std::atomic<int> child_wrote{0};
    std::atomic<int> parent_wrote{0};
};

// Parent seed 1 everywhere; the child rewrites even pages with seed 2, the
// parent rewrites odd pages with seed 3.
void cow_round(TestContext& ctx, bool swap_before_fork, const std::string& label) {
    Mapping m = Mapping::anonymous(kBytes);
    const size_t pages = m.pages();
    fill_pages(m.data(), pages, kContent, 1);
    if (swap_before_fork) {
        auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
        require(pm.swapped >= pages * 9 / 10,
                label + ": only " + std::to_string(pm.swapped) + " pages swapped out before fork");
    }
    Shared<Sync> sync;
    ChildProcess child(
        [&]() -> int {
            require_intact(m.data(), pages, kContent, 1, label + ": child's view after fork");
            fill_split(m.data(), pages, 2, 1, true, false);
            push_out(m.data(), m.bytes(), ctx.main_cgroup());
            require_split(m.data(), pages, 2, 1, label + ": child after writing even pages");
            sync->child_wrote = 1;
            if (!wait_until([&] { return sync->parent_wrote.load() != 0; }, 60))
                fail(label + ": parent never wrote");
            require_split(m.data(), pages, 2, 1, label + ": child after the parent wrote");
            return 0;
        },
        ctx.main_cgroup());
    if (!swap_before_fork) {
        // Both map every page now: reclaim swaps the shared pages out
        // through the rmap, so both page tables hold the same entries.
        auto before = swapped_out_total();
        sysfs::try_write_text(ctx.main_cgroup() / "memory.reclaim", std::to_string(kBytes));
        wait_for_writeback();
        ctx.note(label + "_shared_swapped_out", swapped_out_total() - before);
    }
    if (!wait_until([&] { return sync->child_wrote.load() != 0 || child.poll().has_value(); }, 90))
        fail(label + ": the child did not finish writing");
    if (auto e = child.poll(); e && !e->ok())
        fail(label + ": child " + e->describe());
    require_intact(m.data(), pages, kContent, 1, label + ": parent after the child wrote");
    fill_split(m.data(), pages, 1, 3, false, true);
    push_out(m.data(), m.bytes(), ctx.main_cgroup());
    require_split(m.data(), pages, 1, 3, label + ": parent after writing odd pages");
    sync->parent_wrote = 1;
    ChildExit e = child.wait(90);
    if (!e.ok())
        fail(label + ": child " + e.describe());
}

void fork_cow(TestContext& ctx) {
    cow_round(ctx, true, "swapped before fork");
    cow_round(ctx, false, "swapped after fork");
}

} // namespace

void add_fork_tests(std::vector<TestCase>& tests) {
    TestCase t;
    t.name = "fork.cow";
    t.summary = "after fork, parent and child write swapped pages and each sees its own data";
    t.backend = BackendKind::Disk;
    t.body = fork_cow;
    tests.push_back(t);
}

} // namespace vswap::tests
