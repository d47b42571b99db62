// Large folios through swap: 64 KiB mTHP and PMD-size THP swap out and
// back in with their data intact, on a disk and on zram (where 6.12 also
// swaps mTHP back in as large folios), whole to a fragmented device, and
// back in whole with zswap enabled.
#include "guest/backend.h"
#include "guest/sysfs.h"
#include "guest/tests/knobs.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <sys/mman.h>
#include <sys/resource.h>

namespace vswap::tests {
namespace {

const std::filesystem::path kThp = "/sys/kernel/mm/transparent_hugepage";
constexpr size_t kBytes = 16 * MiB;

void set_knob(const std::filesystem::path& path, const std::string& value) {
    try {
        sysfs::write_text(path, value);
    } catch (const sysfs::SysfsError& e) {
        not_supported(e.what());
    }
}

sysfs::Counters mthp_stats(const std::filesystem::path& size_dir) {
    sysfs::Counters stats;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(size_dir / "stats", ec))
        if (auto v = sysfs::read_u64_if_exists(entry.path()))
            stats[entry.path().filename().string()] = *v;
    return stats;
}

// Only 64 KiB folios for anonymous memory in MADV_HUGEPAGE areas.
std::filesystem::path use_only_mthp_64k() {
    const auto dir = kThp / "hugepages-64kB";
    if (!std::filesystem::exists(dir / "enabled"))
        not_supported("no 64 KiB mTHP size on this kernel (" + dir.string() + ")");
    for (const auto& d : mthp_size_dirs())
        if (std::filesystem::exists(d / "enabled")) // shmem-only sizes have none
            set_knob(d / "enabled", "never");
    set_knob(dir / "enabled", "always");
    set_knob(kThp / "enabled", "madvise");
    return dir;
}

uint64_t faults_of_this_process() {
    struct rusage r {};
    getrusage(RUSAGE_SELF, &r);
    return static_cast<uint64_t>(r.ru_minflt + r.ru_majflt);
}

void mthp_64k(TestContext& ctx) {
    const auto dir = use_only_mthp_64k();
    auto before = mthp_stats(dir);
    Mapping m = Mapping::anonymous(kBytes, 64 * 1024);
    advise(m.data(), m.bytes(), MADV_HUGEPAGE, "MADV_HUGEPAGE");
    fill_pages(m.data(), m.pages(), PageContent::Compressible, 31);
    auto faulted = sysfs::counter_delta(before, mthp_stats(dir));
    if (faulted["anon_fault_alloc"] == 0)
        skip("not run: no 64 KiB folio could be allocated (anon_fault_alloc stayed 0)");
    auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    auto after_out = sysfs::counter_delta(before, mthp_stats(dir));
    require_intact(m.data(), m.pages(), PageContent::Compressible, 31, "64 KiB mTHP after swap-in");
    ctx.note("mthp_64k", {{"anon_fault_alloc", after_out["anon_fault_alloc"]},
                          {"swpout", after_out["swpout"]},
                          {"swpout_fallback", after_out["swpout_fallback"]},
                          {"swpin", sysfs::counter_delta(before, mthp_stats(dir))["swpin"]},
                          {"pm_swap_pages", pm.swapped}});
    require_mostly_swapped(pm, "pages of 64 KiB folios");
}

void thp_pmd(TestContext& ctx) {
    const auto dir = kThp / "hugepages-2048kB";
    for (const auto& d : mthp_size_dirs())
        sysfs::try_write_text(d / "enabled", "never");
    if (std::filesystem::exists(dir / "enabled"))
        set_knob(dir / "enabled", "inherit");
    set_knob(kThp / "enabled", "always");
    set_knob(kThp / "defrag", "always");

    auto vm0 = sysfs::read_vmstat();
    Mapping m = Mapping::anonymous(kBytes, 2 * MiB);
    fill_pages(m.data(), m.pages(), PageContent::Compressible, 32);
    auto faulted = sysfs::counter_delta(vm0, sysfs::read_vmstat());
    if (faulted["thp_fault_alloc"] == 0)
        skip("not run: no PMD THP could be allocated (thp_fault_alloc stayed 0)");

    // Whole THPs out and in.
    auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    require_intact(m.data(), m.pages(), PageContent::Compressible, 32, "THP after swap-in");
    auto whole = sysfs::counter_delta(vm0, sysfs::read_vmstat());
    require_mostly_swapped(pm, "THP pages");

    // Half of every THP: MADV_PAGEOUT splits the folio first.
    Mapping h = Mapping::anonymous(kBytes, 2 * MiB);
    fill_pages(h.data(), h.pages(), PageContent::Compressible, 33);
    size_t swapped = 0;
    for (size_t off = 0; off < kBytes; off += 2 * MiB)
        swapped += push_out(h.data() + off, MiB, ctx.main_cgroup()).swapped;
    require_intact(h.data(), h.pages(), PageContent::Compressible, 33,
                   "half-paged-out THP after swap-in");
    auto all = sysfs::counter_delta(vm0, sysfs::read_vmstat());
    ctx.note("thp", {{"thp_fault_alloc", all["thp_fault_alloc"]},
                     {"thp_swpout", whole["thp_swpout"]},
                     {"thp_swpout_fallback", whole["thp_swpout_fallback"]},
                     {"thp_split_page", all["thp_split_page"]},
                     {"half_pageout_swapped", swapped}});
    require(swapped >= (kBytes / 2 / kPage) * 9 / 10,
            "paging out half of each THP swapped only " + std::to_string(swapped) + " pages");
}

// A device with free slots but no free contiguous run: every other page of
// a nearly full area is freed, then 64 KiB folios are paged out. vswap
// writes each to discontiguous slots whole (discontig_folios); the
// unpatched kernel has to split it (swpout_fallback): "not supported".
void mthp_discontig(TestContext& ctx) {
    const auto dir = kThp / "hugepages-64kB";
    if (!std::filesystem::exists(dir / "enabled"))
        not_supported("no 64 KiB mTHP size on this kernel (" + dir.string() + ")");
    uint64_t area_bytes = 0;
    for (const auto& a : active_swaps())
        area_bytes += a.size_bytes;
    require(area_bytes > 0, "no active swap area");

    // Small pages fill 95% of the area; freeing every other one leaves
    // single free slots in clusters that serve order 0 only.
    for (const auto& d : mthp_size_dirs())
        if (std::filesystem::exists(d / "enabled"))
            set_knob(d / "enabled", "never");
    set_knob(kThp / "enabled", "never");
    const size_t small_pages = area_bytes / kPage * 95 / 100;
    Mapping small = Mapping::anonymous(small_pages * kPage);
    fill_pages(small.data(), small.pages(), PageContent::Random, 61);
    auto pm_small = push_out(small.data(), small.bytes(), ctx.main_cgroup());
    require(pm_small.swapped >= small_pages * 9 / 10,
            "filling the area swapped out only " + std::to_string(pm_small.swapped) + " of " +
                std::to_string(small_pages) + " pages");
    for (size_t i = 1; i < small.pages(); i += 2)
        advise(small.data() + i * kPage, kPage, MADV_DONTNEED, "MADV_DONTNEED");

    set_knob(dir / "enabled", "always");
    set_knob(kThp / "enabled", "madvise");
    const auto vswap0 = sysfs::read_vswap_counters();
    const auto before = mthp_stats(dir);
    constexpr size_t kLarge = 2 * MiB; // 32 folios, well under the free slots
    Mapping m = Mapping::anonymous(kLarge, 64 * 1024);
    advise(m.data(), m.bytes(), MADV_HUGEPAGE, "MADV_HUGEPAGE");
    fill_pages(m.data(), m.pages(), PageContent::Compressible, 62);
    if (sysfs::counter_delta(before, mthp_stats(dir))["anon_fault_alloc"] == 0)
        skip("not run: no 64 KiB folio could be allocated (anon_fault_alloc stayed 0)");
    auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    auto stats = sysfs::counter_delta(before, mthp_stats(dir));
    const auto vswap1 = sysfs::read_vswap_counters();
    const bool counted = vswap1 && vswap1->values.count("discontig_folios");
    const uint64_t discontig =
        counted ? vswap1->values.at("discontig_folios") - vswap0->values.at("discontig_folios") : 0;
    require_intact(m.data(), m.pages(), PageContent::Compressible, 62,
                   "64 KiB folios after discontiguous swap-out");
    for (size_t i = 0; i < small.pages(); i += 2)
        require_intact(small.data() + i * kPage, 1, PageContent::Random, 61,
                       "the small pages kept in the fragmented area", i);
    ctx.note("discontig", {{"area_bytes", area_bytes},
                           {"anon_fault_alloc", stats["anon_fault_alloc"]},
                           {"swpout", stats["swpout"]},
                           {"swpout_fallback", stats["swpout_fallback"]},
                           {"discontig_folios", discontig},
                           {"pm_swap_pages", pm.swapped}});
    if (!counted)
        not_supported("this kernel cannot write a large folio to discontiguous slots: " +
                      std::to_string(stats["swpout_fallback"]) +
                      " of the 64 KiB folios were "
                      "split (swpout_fallback), " +
                      std::to_string(stats["swpout"]) + " swapped out whole");
    require_mostly_swapped(pm, "pages of 64 KiB folios");
    require(discontig >= 1 && stats["swpout"] >= discontig,
            "no 64 KiB folio went to discontiguous slots whole (discontig_folios +" +
                std::to_string(discontig) + ", swpout +" + std::to_string(stats["swpout"]) +
                ", swpout_fallback +" + std::to_string(stats["swpout_fallback"]) + ")");
}

// 64 KiB folios whose pages each repeat one word, swapped out with zswap
// enabled, come back as 64 KiB folios (one fault per folio), and their
// swap charge goes when they are unmapped. 6.12 swaps in large folios
// only from a SWP_SYNCHRONOUS_IO device and only while zswap has never
// been enabled: such a kernel is reported as not supported, with its
// fault count.
void mthp_64k_swapin(TestContext& ctx) {
    const auto dir = use_only_mthp_64k();
    const auto cg = ctx.main_cgroup();
    auto before = mthp_stats(dir);
    Mapping m = Mapping::anonymous(kBytes, 64 * 1024);
    advise(m.data(), m.bytes(), MADV_HUGEPAGE, "MADV_HUGEPAGE");
    fill_pages(m.data(), m.pages(), PageContent::SameFilled, 34);
    if (sysfs::counter_delta(before, mthp_stats(dir))["anon_fault_alloc"] == 0)
        skip("not run: no 64 KiB folio could be allocated (anon_fault_alloc stayed 0)");
    auto pm = push_out(m.data(), m.bytes(), cg);
    const auto out = sysfs::counter_delta(before, mthp_stats(dir));
    const uint64_t charged = sysfs::read_u64(cg / "memory.swap.current");
    const uint64_t faults0 = faults_of_this_process();
    require_intact(m.data(), m.pages(), PageContent::SameFilled, 34, "64 KiB folios after swap-in");
    const uint64_t faults = faults_of_this_process() - faults0;
    const size_t pages = m.pages();
    m = Mapping();
    const uint64_t charged_after = sysfs::read_u64(cg / "memory.swap.current");
    ctx.note("mthp_64k_swapin", {{"pages", pages},
                                 {"pm_swap_pages", pm.swapped},
                                 {"swpout", out.count("swpout") ? out.at("swpout") : 0},
                                 {"read_back_faults", faults},
                                 {"memory.swap.current_swapped", charged},
                                 {"memory.swap.current_unmapped", charged_after}});
    require(pm.swapped >= pages * 9 / 10, "only " + std::to_string(pm.swapped) + " of " +
                                              std::to_string(pages) +
                                              " pages of 64 KiB folios were swapped out");
    require(charged_after < kBytes / 8, "memory.swap.current is still " + mib(charged_after) +
                                            " after the swapped-in folios were unmapped (" +
                                            mib(charged) + " while swapped out)");
    if (faults > pages / 8) {
        const std::string what = std::to_string(faults) + " faults read back " +
                                 std::to_string(pages) + " pages of 64 KiB folios";
        if (!kernel_has_fill_backings())
            not_supported(what + ": this kernel swaps large folios in only from a "
                                 "SWP_SYNCHRONOUS_IO device while zswap has never been enabled");
        fail(what + ", one per page: they did not come back as 64 KiB folios");
    }
}

TestCase make(const std::string& name, const std::string& summary, BackendKind backend,
              void (*body)(TestContext&)) {
    TestCase t;
    t.name = name;
    t.summary = summary;
    t.backend = backend;
    t.keep_thp = true;
    t.body = body;
    return t;
}

} // namespace

void add_thp_tests(std::vector<TestCase>& tests) {
    tests.push_back(make("thp.mthp64k.disk", "64 KiB mTHP swap out and in intact (disk)",
                         BackendKind::Disk, mthp_64k));
    tests.push_back(make("thp.mthp64k.zram", "64 KiB mTHP swap out and in intact (zram)",
                         BackendKind::Zram, mthp_64k));
    tests.push_back(make("thp.mthp64k.swapin",
                         "64 KiB folios of same-filled pages swap back in whole with zswap "
                         "enabled, and are uncharged when unmapped; baseline reads them page by "
                         "page",
                         BackendKind::Zswap, mthp_64k_swapin));
    TestCase discontig = make("thp.discontig",
                              "64 KiB folios go whole to discontiguous slots of a fragmented "
                              "device (discontig_folios); baseline splits them",
                              BackendKind::Disk, mthp_discontig);
    discontig.backend_options.size_bytes = 8 * MiB;
    tests.push_back(discontig);
    tests.push_back(make("thp.pmd.disk", "PMD THP, whole and half paged out, intact (disk)",
                         BackendKind::Disk, thp_pmd));
    tests.push_back(make("thp.pmd.zram", "PMD THP, whole and half paged out, intact (zram)",
                         BackendKind::Zram, thp_pmd));
}

} // namespace vswap::tests
