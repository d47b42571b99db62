// madvise and friends on swapped ranges: MADV_PAGEOUT, MADV_COLD,
// MADV_FREE, MADV_DONTNEED, mremap and munmap. Data must survive where it
// is kept and read as zero where it is dropped; dropped swap must be freed.
#include "guest/backend.h"
#include "guest/sysfs.h"
#include "guest/tests/child.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>

namespace vswap::tests {
namespace {

constexpr PageContent kContent = PageContent::Compressible;

uint64_t swap_used_pages() {
    return swap_used_bytes() / kPage;
}

// Swap freed by an operation comes back within a few seconds (the per-CPU
// slot caches hold up to 64 slots each).
void require_swap_freed(uint64_t used_before, size_t pages, const std::string& what) {
    const uint64_t slack = 64 * 4;
    uint64_t used = 0;
    bool freed = wait_until(
        [&] {
            used = swap_used_pages();
            return used + pages * 9 / 10 <= used_before + slack;
        },
        5, 0.1);
    require(freed, what + ": swap use went from " + std::to_string(used_before) + " to " +
                       std::to_string(used) + " pages; expected about " + std::to_string(pages) +
                       " fewer");
}

Mapping swapped_range(TestContext& ctx, size_t bytes, uint64_t seed) {
    Mapping m = Mapping::anonymous(bytes);
    fill_pages(m.data(), m.pages(), kContent, seed);
    auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    require_mostly_swapped(pm);
    return m;
}

void madv_pageout(TestContext& ctx) {
    Mapping m = Mapping::anonymous(16 * MiB);
    fill_pages(m.data(), m.pages(), kContent, 11);
    advise(m.data(), m.bytes(), MADV_PAGEOUT, "MADV_PAGEOUT");
    auto pm = scan_pagemap(m.data(), m.bytes());
    ctx.note("pm_swap_after_pageout", pm.swapped);
    require_mostly_swapped(pm, "pages (MADV_PAGEOUT)");
    require_intact(m.data(), m.pages(), kContent, 11, "after MADV_PAGEOUT");
    // Again, over half the range, after the data came back.
    advise(m.data(), m.bytes() / 2, MADV_PAGEOUT, "MADV_PAGEOUT");
    require_intact(m.data(), m.pages(), kContent, 11, "after a second MADV_PAGEOUT");
}

void madv_cold(TestContext& ctx) {
    Mapping hot = Mapping::anonymous(8 * MiB), cold = Mapping::anonymous(8 * MiB);
    fill_pages(cold.data(), cold.pages(), kContent, 12);
    fill_pages(hot.data(), hot.pages(), kContent, 13);
    advise(cold.data(), cold.bytes(), MADV_COLD, "MADV_COLD");
    sysfs::try_write_text(ctx.main_cgroup() / "memory.reclaim", std::to_string(8 * MiB));
    wait_for_writeback();
    auto h = scan_pagemap(hot.data(), hot.bytes()), c = scan_pagemap(cold.data(), cold.bytes());
    ctx.note("swapped", {{"hot", h.swapped}, {"cold", c.swapped}});
    require(c.swapped >= cold.pages() / 2 && c.swapped > h.swapped,
            "reclaim did not prefer the MADV_COLD range: cold " + std::to_string(c.swapped) +
                " pages swapped, hot " + std::to_string(h.swapped));
    require_intact(cold.data(), cold.pages(), kContent, 12, "cold range");
    require_intact(hot.data(), hot.pages(), kContent, 13, "hot range");
}

void madv_free(TestContext& ctx) {
    // Swapped pages: MADV_FREE drops the swap entries; they read as zero.
    {
        Mapping m = swapped_range(ctx, 8 * MiB, 14);
        uint64_t used = swap_used_pages();
        advise(m.data(), m.bytes(), MADV_FREE, "MADV_FREE");
        require_swap_freed(used, m.pages(), "MADV_FREE on swapped pages");
        for (size_t i = 0; i < m.pages(); ++i)
            require(page_is_zero(m.page(i)), "page " + std::to_string(i) +
                                                 " of a swapped range is not zero after MADV_FREE");
    }
    // Resident pages: lazily freed; after reclaim each reads as its data or
    // as zero, and pages written again after MADV_FREE keep the new data.
    Mapping m = Mapping::anonymous(8 * MiB);
    const size_t pages = m.pages();
    fill_pages(m.data(), pages, kContent, 15);
    advise(m.data(), m.bytes(), MADV_FREE, "MADV_FREE");
    for (size_t i = 0; i < pages; i += 4)
        fill_page(reinterpret_cast<uint64_t*>(m.page(i)), kContent, 16, i);
    auto before = sysfs::read_vmstat();
    sysfs::try_write_text(ctx.main_cgroup() / "memory.reclaim", std::to_string(16 * MiB));
    wait_for_writeback();
    auto delta = sysfs::counter_delta(before, sysfs::read_vmstat());
    size_t zero = 0, kept = 0;
    for (size_t i = 0; i < pages; ++i) {
        const auto* words = reinterpret_cast<const uint64_t*>(m.page(i));
        if (i % 4 == 0) {
            if (auto bad = verify_page(words, kContent, 16, i))
                fail("page " + std::to_string(i) + " written after MADV_FREE lost its data");
            continue;
        }
        if (page_is_zero(m.page(i)))
            ++zero;
        else if (!verify_page(words, kContent, 15, i))
            ++kept;
        else
            fail("lazily freed page " + std::to_string(i) + " is neither its data nor zero");
    }
    ctx.note("lazyfree", {{"pglazyfreed", delta["pglazyfreed"]}, {"zero", zero}, {"kept", kept}});
    require(zero > 0, "reclaim freed none of the MADV_FREE pages");
}

void madv_dontneed(TestContext& ctx) {
    Mapping m = swapped_range(ctx, 8 * MiB, 17);
    uint64_t used = swap_used_pages();
    advise(m.data(), m.bytes() / 2, MADV_DONTNEED, "MADV_DONTNEED");
    require_swap_freed(used, m.pages() / 2, "MADV_DONTNEED on swapped pages");
    for (size_t i = 0; i < m.pages() / 2; ++i)
        require(page_is_zero(m.page(i)),
                "page " + std::to_string(i) + " is not zero after MADV_DONTNEED");
    require_intact(m.page(m.pages() / 2), m.pages() / 2, kContent, 17,
                   "the half that was not dropped", m.pages() / 2);
}

void mremap_swapped(TestContext& ctx) {
    Mapping m = swapped_range(ctx, 8 * MiB, 18);
    const size_t pages = m.pages();
    // Move the whole range to a reserved spot: the swap entries move with it.
    Mapping target = Mapping::anonymous(m.bytes());
    void* moved =
        mremap(m.data(), m.bytes(), m.bytes(), MREMAP_MAYMOVE | MREMAP_FIXED, target.data());
    if (moved == MAP_FAILED)
        fail(std::string("mremap failed: ") + std::strerror(errno));
    m.release();
    auto pm = scan_pagemap(target.data(), target.bytes());
    ctx.note("pm_swap_after_move", pm.swapped);
    require(pm.swapped >= pages * 9 / 10,
            "after mremap only " + std::to_string(pm.swapped) + " pages are still swapped");
    require_intact(target.data(), pages, kContent, 18, "after mremap");
    // Grow it (may move again) after swapping it out once more.
    push_out(target.data(), target.bytes(), ctx.main_cgroup());
    void* grown = mremap(target.data(), target.bytes(), 2 * target.bytes(), MREMAP_MAYMOVE);
    if (grown == MAP_FAILED)
        fail(std::string("mremap to grow failed: ") + std::strerror(errno));
    target.release();
    Mapping big;
    big.adopt(static_cast<char*>(grown), 2 * pages * kPage);
    require_intact(big.data(), pages, kContent, 18, "after growing with mremap");
    for (size_t i = pages; i < 2 * pages; ++i)
        require(page_is_zero(big.page(i)), "the grown part is not zero");
}

void munmap_swapped(TestContext& ctx) {
    const uint64_t used0 = swap_used_pages();
    Mapping m = swapped_range(ctx, 16 * MiB, 19);
    const size_t pages = m.pages();
    uint64_t used = swap_used_pages();
    // Unmap the middle half.
    if (munmap(m.page(pages / 4), m.bytes() / 2) != 0)
        fail(std::string("munmap failed: ") + std::strerror(errno));
    require_swap_freed(used, pages / 2, "munmap of the middle half");
    require_intact(m.data(), pages / 4, kContent, 19, "first quarter");
    require_intact(m.page(3 * pages / 4), pages / 4, kContent, 19, "last quarter", 3 * pages / 4);
    // Swap it out again and unmap the rest.
    push_out(m.data(), m.bytes() / 4, ctx.main_cgroup());
    push_out(m.page(3 * pages / 4), m.bytes() / 4, ctx.main_cgroup());
    munmap(m.data(), m.bytes() / 4);
    munmap(m.page(3 * pages / 4), m.bytes() / 4);
    m.release();
    uint64_t left = 0;
    bool back = wait_until([&] { return (left = swap_used_pages()) <= used0 + 256; }, 5, 0.1);
    require(back, "after unmapping everything swap use is " + std::to_string(left) +
                      " pages (was " + std::to_string(used0) + " before)");
}

TestCase make(const std::string& name, const std::string& summary, void (*body)(TestContext&)) {
    TestCase t;
    t.name = name;
    t.summary = summary;
    t.backend = BackendKind::Disk;
    t.body = body;
    return t;
}

} // namespace

void add_madvise_tests(std::vector<TestCase>& tests) {
    tests.push_back(make("madvise.pageout", "MADV_PAGEOUT swaps a range out; it reads back intact",
                         madv_pageout));
    tests.push_back(
        make("madvise.cold", "reclaim takes MADV_COLD pages first; both ranges intact", madv_cold));
    tests.push_back(make("madvise.free",
                         "MADV_FREE frees swapped pages (zero) and lazily frees resident ones",
                         madv_free));
    tests.push_back(make("madvise.dontneed",
                         "MADV_DONTNEED on swapped pages frees their swap and reads zero",
                         madv_dontneed));
    tests.push_back(
        make("madvise.mremap", "mremap moves and grows a swapped range intact", mremap_swapped));
    tests.push_back(
        make("madvise.munmap", "munmap of swapped ranges frees their swap", munmap_swapped));
}

} // namespace vswap::tests
