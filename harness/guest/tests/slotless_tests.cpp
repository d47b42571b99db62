// Swapped-out pages without a physical slot (series part 2): zswap with no
// swap device under memory.high, zero pages that take no storage, slots
// allocated only when zswap writes back, and no writeback attempted while
// there is no slot to write to. Kernels that give every
// swapped page a slot report these as not supported; the memory.high test
// still runs there, to show what such a kernel does instead.
#include "guest/backend.h"
#include "guest/sysfs.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"
#include "guest/tests/workloads.h"

#include <algorithm>

namespace vswap::tests {
namespace {

const std::filesystem::path kZswapEnabled = "/sys/module/zswap/parameters/enabled";
const std::filesystem::path kZswapShrinker = "/sys/module/zswap/parameters/shrinker_enabled";

// Swap in use as /proc/meminfo (what free(1) reads) reports it.
uint64_t meminfo_swap_used() {
    auto meminfo = sysfs::read_meminfo();
    return meminfo["SwapTotal"] - meminfo["SwapFree"];
}

// Eight memory.reclaim of 64 MiB on a cgroup whose pages are all out
// already: reclaim falls to the zswap shrinker. Returns the vmstat delta.
sysfs::Counters reclaim_into_shrinker(const std::filesystem::path& cg) {
    auto before = sysfs::read_vmstat();
    for (int i = 0; i < 8; ++i)
        sysfs::try_write_text(cg / "memory.reclaim", std::to_string(64 * MiB));
    wait_for_writeback();
    return sysfs::counter_delta(before, sysfs::read_vmstat());
}

// zswap on, no swap device: reclaim must still shrink the cgroup to
// memory.high. A kernel without slotless entries cannot reclaim anonymous
// memory at all there; its run is bounded and reported as the contrast.
void zswap_only_memory_high(TestContext& ctx) {
    const bool supported = kernel_has_slotless_entries();
    require(active_swaps().empty(), "a swap area is on before the test");
    sysfs::write_text(kZswapEnabled, "Y");

    PressureOptions o;
    o.bytes = 64 * MiB;
    o.memory_high = 24 * MiB;
    o.mixed = false;
    // Compresses well; same-filled pages would take no zswap object at all
    // on a kernel that stores their word in the entry (slotless.filled).
    o.content = PageContent::Compressible;
    o.timeout_s = supported ? 120 : 20;
    uint64_t highest = 0;
    o.sample = [&](const Cgroup& cg) { highest = std::max(highest, cg.read("memory.current")); };
    // free(1) reads /proc/meminfo: it must show no swap, zswap or not.
    sysfs::Counters meminfo;
    o.while_held = [&](const Cgroup&) { meminfo = sysfs::read_meminfo(); };
    auto run = run_pressure(ctx, o);
    const bool swaps_empty = active_swaps().empty();
    ctx.note("run", {{"exit", run.exit.describe()},
                     {"timed_out", run.exit.timed_out},
                     {"memory.high", o.memory_high},
                     {"memory.current_held", run.current_held},
                     {"memory.current_highest_sampled", highest},
                     {"zswapped_held", run.stat_held["zswapped"]},
                     {"zswpout", run.vmstat_delta["zswpout"]},
                     {"swpout_zero", run.vmstat_delta["swpout_zero"]},
                     {"proc_swaps_empty", swaps_empty},
                     {"meminfo_swap_total_held", meminfo["SwapTotal"]},
                     {"meminfo_swap_free_held", meminfo["SwapFree"]}});
    if (!supported)
        not_supported("no swap device: this kernel cannot reclaim anonymous memory into zswap "
                      "(zswpout +" +
                      std::to_string(run.vmstat_delta["zswpout"]) + ", memory.current up to " +
                      mib(highest) + " with memory.high " + mib(o.memory_high) + "; the workload " +
                      (run.exit.timed_out
                           ? "was still throttled after " + std::to_string(int(o.timeout_s)) + " s"
                           : run.exit.describe()) +
                      ")");
    require_clean(run, "workload under memory.high with zswap only");
    require(run.vmstat_delta["zswpout"] > 0, "zswpout did not rise");
    require(swaps_empty, "/proc/swaps is not empty");
    require(meminfo["SwapTotal"] == 0 && meminfo["SwapFree"] == 0,
            "/proc/meminfo shows SwapTotal " + mib(meminfo["SwapTotal"]) + ", SwapFree " +
                mib(meminfo["SwapFree"]) + " with no swap device (zswap is not swap space)");
    require(run.current_held <= o.memory_high + 4 * MiB,
            "memory.current is " + mib(run.current_held) +
                " with the data held, over memory.high " + mib(o.memory_high));
}

// Zero-filled pages become zero backings: no zswap object, no slot.
void zero_pages(TestContext& ctx) {
    if (!kernel_has_slotless_entries())
        not_supported("zero pages own a slot (and a zeromap bit) on this kernel");
    Mapping m = Mapping::anonymous(16 * MiB);
    fill_pages(m.data(), m.pages(), PageContent::Zero, 1);
    auto before = sysfs::read_vmstat();
    auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    const uint64_t zero = vswap_counter("backing_zero");
    auto delta = sysfs::counter_delta(before, sysfs::read_vmstat());
    ctx.note("out", {{"pages", m.pages()},
                     {"pm_swap", pm.swapped},
                     {"backing_zero", zero},
                     {"swpout_zero", delta["swpout_zero"]},
                     {"zswpout", delta["zswpout"]}});
    require_mostly_swapped(pm);
    require(zero >= pm.swapped, "backing_zero is " + std::to_string(zero) + " for " +
                                    std::to_string(pm.swapped) + " swapped zero pages");
    // memory.reclaim also takes the test's own few pages (stack, heap).
    require(delta["zswpout"] < m.pages() / 10,
            "zero pages went to zswap (zswpout +" + std::to_string(delta["zswpout"]) + ")");
    require_intact(m.data(), m.pages(), PageContent::Zero, 1, "after swap-in");
}

// Pages that repeat one non-zero word, swapped out with zswap off: the word
// becomes the backing, so no slot is taken and nothing is written. A kernel
// with only a zeromap writes them to the device: reported as not supported,
// with what it did.
void filled_pages(TestContext& ctx) {
    Mapping m = Mapping::anonymous(16 * MiB);
    fill_pages(m.data(), m.pages(), PageContent::SameFilled, 5);
    auto before = sysfs::read_vmstat();
    auto pm = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    auto delta = sysfs::counter_delta(before, sysfs::read_vmstat());
    const uint64_t used = swap_used_bytes();
    const bool supported = kernel_has_fill_backings();
    const uint64_t filled = supported ? vswap_counter("backing_filled") : 0;
    ctx.note("out", {{"pages", m.pages()},
                     {"pm_swap", pm.swapped},
                     {"backing_filled", filled},
                     {"pswpout", delta["pswpout"]},
                     {"zswpout", delta["zswpout"]},
                     {"proc_swaps_used", used}});
    require_mostly_swapped(pm);
    if (!supported)
        not_supported("pages that repeat a non-zero word are written to the swap device on this "
                      "kernel (pswpout +" +
                      std::to_string(delta["pswpout"]) + ", " + mib(used) +
                      " of /proc/swaps in use)");
    require(filled >= pm.swapped, "backing_filled is " + std::to_string(filled) + " for " +
                                      std::to_string(pm.swapped) + " swapped same-filled pages");
    // memory.reclaim also takes the test's own few pages (stack, heap).
    require(delta["pswpout"] < m.pages() / 10,
            "same-filled pages were written to the device (pswpout +" +
                std::to_string(delta["pswpout"]) + ")");
    require(used < m.bytes() / 10,
            "same-filled pages took slots: " + mib(used) + " of /proc/swaps in use");
    require_intact(m.data(), m.pages(), PageContent::SameFilled, 5, "after swap-in");
    const uint64_t left = vswap_counter("backing_filled");
    require(left < m.pages() / 10,
            "backing_filled is still " + std::to_string(left) + " after every page was read back");
}

// zswap over a disk: the slot comes only when zswap writes the page back.
void lazy_slots(TestContext& ctx) {
    if (!kernel_has_slotless_entries())
        not_supported("every swapped page gets its slot at swap-out on this kernel");
    const auto cg = ctx.main_cgroup();
    Mapping m = Mapping::anonymous(16 * MiB);
    fill_pages(m.data(), m.pages(), PageContent::Compressible, 3);
    auto pm = push_out(m.data(), m.bytes(), cg);
    const uint64_t in_zswap = vswap_counter("backing_zswap");
    const uint64_t phys = vswap_counter("backing_phys");
    const uint64_t used = swap_used_bytes();
    const uint64_t swap_current = sysfs::read_u64(cg / "memory.swap.current");
    const uint64_t meminfo_used = meminfo_swap_used();
    ctx.note("in_zswap", {{"pm_swap", pm.swapped},
                          {"meminfo_swap_used", meminfo_used},
                          {"backing_zswap", in_zswap},
                          {"backing_phys", phys},
                          {"proc_swaps_used", used},
                          {"memory.swap.current", swap_current}});
    require_mostly_swapped(pm);
    require(in_zswap >= pm.swapped, "only " + std::to_string(in_zswap) + " entries in zswap");
    require(phys == 0 && used == 0, "pages held by zswap took physical slots (backing_phys " +
                                        std::to_string(phys) + ", /proc/swaps used " +
                                        std::to_string(used) + ")");
    // free(1) and memory.swap count physical slots only: none are in use.
    require(meminfo_used == 0, "/proc/meminfo shows " + mib(meminfo_used) +
                                   " of swap in use with every swapped-out page in zswap");
    require(swap_current == 0, "memory.swap.current is " + std::to_string(swap_current) +
                                   " with every swapped-out page in zswap");

    // Reclaim with the LRU empty falls to the zswap shrinker (off until
    // now): written-back pages get their slots only now.
    sysfs::write_text(kZswapShrinker, "Y");
    auto delta = reclaim_into_shrinker(cg);
    const uint64_t phys_after = vswap_counter("backing_phys");
    const uint64_t current_after = sysfs::read_u64(cg / "memory.swap.current");
    const uint64_t meminfo_used_after = meminfo_swap_used();
    ctx.note("written_back", {{"zswpwb", delta["zswpwb"]},
                              {"meminfo_swap_used", meminfo_used_after},
                              {"backing_phys", phys_after},
                              {"proc_swaps_used", swap_used_bytes()},
                              {"memory.swap.current", current_after}});
    require(delta["zswpwb"] > 0, "memory.reclaim wrote nothing back from zswap");
    require(phys_after > 0, "written-back pages have no slot");
    require(swap_used_bytes() > 0, "/proc/swaps shows no slot in use after writeback");
    require(meminfo_used_after > 0, "/proc/meminfo shows no swap in use after writeback");
    // The slots written back are charged as they are taken: this cgroup
    // holds every slot in use (nothing else swapped since the push-out).
    require(current_after > 0, "written-back pages took slots that memory.swap.current (0) "
                               "does not count");
    require(current_after <= phys_after * kPage,
            "memory.swap.current is " + std::to_string(current_after) + " for " +
                std::to_string(phys_after) + " entries on slots");
    require_intact(m.data(), m.pages(), PageContent::Compressible, 3, "after writeback");
}

// zswap's shrinker, on, with no swap device: writing back is pointless,
// so it must not even try (zswap's reject_reclaim_fail counts every failed
// attempt). Then a swap file goes on and the same reclaim must write back:
// the control that shows the shrinker was there to be asked.
void no_writeback_without_slots(TestContext& ctx) {
    const auto cg = ctx.main_cgroup();
    const std::filesystem::path reject = "/sys/kernel/debug/zswap/reject_reclaim_fail";
    Mapping m = Mapping::anonymous(16 * MiB);
    fill_pages(m.data(), m.pages(), PageContent::Compressible, 9);
    auto pm = push_out(m.data(), m.bytes(), cg);
    require_mostly_swapped(pm);
    auto reclaim_hard = [&] {
        const uint64_t failed = sysfs::read_u64(reject);
        const uint64_t written = reclaim_into_shrinker(cg)["zswpwb"];
        return std::pair{written, sysfs::read_u64(reject) - failed};
    };
    const auto [written_none, failed_none] = reclaim_hard();
    const uint64_t in_zswap = vswap_counter("backing_zswap");

    BackendOptions o;
    o.size_bytes = 32 * MiB;
    Backend swapfile(BackendKind::Swapfile, o);
    const auto [written_file, failed_file] = reclaim_hard();
    ctx.note("reclaim",
             {{"no_device",
               {{"zswpwb", written_none},
                {"reject_reclaim_fail", failed_none},
                {"backing_zswap", in_zswap}}},
              {"swap_file", {{"zswpwb", written_file}, {"reject_reclaim_fail", failed_file}}}});
    require(failed_none == 0, "with no swap device the zswap shrinker tried " +
                                  std::to_string(failed_none) + " writebacks");
    require(written_none == 0, "zswpwb rose by " + std::to_string(written_none) +
                                   " with no swap device to write back to");
    require(in_zswap >= pm.swapped, "only " + std::to_string(in_zswap) + " of " +
                                        std::to_string(pm.swapped) + " entries still in zswap");
    require(written_file > 0, "with a swap file on, the same reclaim wrote nothing back: the "
                              "shrinker was never asked, so the first half tested nothing");
    require_intact(m.data(), m.pages(), PageContent::Compressible, 9, "after writeback");
}

} // namespace

void add_slotless_tests(std::vector<TestCase>& tests) {
    TestCase high;
    high.name = "slotless.memory_high";
    high.summary = "zswap with no swap device keeps a cgroup under memory.high";
    high.timeout_s = 180;
    high.body = zswap_only_memory_high;
    tests.push_back(high);

    TestCase zero;
    zero.name = "slotless.zero";
    zero.summary = "zero pages swap out to no storage at all";
    zero.backend = BackendKind::ZswapOnly;
    zero.needs_vswap = true;
    zero.body = zero_pages;
    tests.push_back(zero);

    TestCase filled;
    filled.name = "slotless.filled";
    filled.summary = "pages that repeat a non-zero word swap out to no storage (zswap off)";
    filled.backend = BackendKind::Disk;
    filled.body = filled_pages;
    tests.push_back(filled);

    TestCase lazy;
    lazy.name = "slotless.lazy_slots";
    lazy.summary = "zswap over a disk takes a slot only on writeback, and memory.swap.current "
                   "counts it only then";
    lazy.backend = BackendKind::Zswap;
    lazy.needs_vswap = true;
    lazy.body = lazy_slots;
    tests.push_back(lazy);

    TestCase idle;
    idle.name = "slotless.no_writeback";
    idle.summary = "zswap's shrinker does not try writeback while no swap device has room; "
                   "it does once a swap file is on";
    idle.backend = BackendKind::ZswapOnly;
    idle.backend_options.zswap_shrinker = true;
    idle.needs_vswap = true;
    idle.body = no_writeback_without_slots;
    tests.push_back(idle);
}

} // namespace vswap::tests
