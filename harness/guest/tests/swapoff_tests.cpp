// swapoff and swapon: cycles while a writer keeps rewriting and verifying
// its data, two devices with priorities, what swapoff's reads count as, a
// swapoff into a cgroup at its memory.max, and a swapoff cut short by a
// signal.
#include "guest/backend.h"
#include "guest/swapoff_deadline.h"
#include "guest/sysfs.h"
#include "guest/tests/cgroup.h"
#include "guest/tests/child.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <thread>

namespace vswap::tests {
namespace {

struct WriterState {
    std::atomic<int> stop{0};
    std::atomic<uint64_t> rounds{0};
};

// Rewrites and verifies a range over and over, paging it out each round,
// until told to stop. Round r writes seed r+1 after checking seed r. The
// pages are mixed: zswap rejects the random ones, so that with zswap some
// still reach the device even where zswap needs no slot (vswap).
int writer(const TestContext& ctx, WriterState& state) {
    Mapping m = Mapping::anonymous(24 * MiB);
    uint64_t seed = 1;
    fill_mixed(m.data(), m.pages(), seed);
    while (!state.stop) {
        madvise(m.data(), m.bytes(), MADV_PAGEOUT); // may fail while no swap is on
        require_mixed_intact(m.data(), m.pages(), seed,
                             "writer round " + std::to_string(state.rounds.load()));
        fill_mixed(m.data(), m.pages(), ++seed);
        ++state.rounds;
    }
    (void)ctx;
    return 0;
}

void swapoff_cycle(TestContext& ctx) {
    const auto& area = ctx.require_backend().swap_area();
    require(area.has_value(), "the backend has no swap area to cycle");
    Shared<WriterState> state;
    ChildProcess child([&] { return writer(ctx, *state); }, ctx.main_cgroup());
    constexpr int kCycles = 6;
    uint64_t used_at_swapoff = 0;
    for (int i = 0; i < kCycles; ++i) {
        uint64_t start = state->rounds;
        wait_until([&] { return state->rounds >= start + 1 || child.poll().has_value(); }, 30);
        if (auto e = child.poll())
            fail("the writer stopped: " + e->describe());
        if (auto s = find_active_swap(*area))
            used_at_swapoff = std::max(used_at_swapoff, s->used_bytes);
        if (int error = try_swap_off(*area))
            fail("swapoff " + area->string() + " in cycle " + std::to_string(i) + ": " +
                 std::strerror(error));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (int error = try_swap_on(*area))
            fail("swapon " + area->string() + " in cycle " + std::to_string(i) + ": " +
                 std::strerror(error));
    }
    state->stop = 1;
    ChildExit e = child.wait(60);
    ctx.note("cycles", {{"swapoff_swapon", kCycles},
                        {"writer_rounds", state->rounds.load()},
                        {"most_swap_used_at_swapoff", used_at_swapoff}});
    if (!e.ok())
        fail("writer " + e.describe());
    require(used_at_swapoff > 0, "swap was never in use when swapoff ran: nothing was tested");
}

// The bytes in use on the active swap area at `path`.
uint64_t used(const std::string& path) {
    if (auto s = find_active_swap(path))
        return s->used_bytes;
    fail(path + " is not in /proc/swaps");
}

void swap_priority(TestContext& ctx) {
    // The runner's disk backend has priority 5; add an 8 MiB swap file at 10.
    BackendOptions o;
    o.size_bytes = 8 * MiB;
    o.priority = 10;
    Backend high(BackendKind::Swapfile, o);
    const std::string high_path = high.swap_area()->string();
    const std::string low_path = ctx.require_backend().swap_area()->string();
    // 4 MiB fit on the high-priority file: nothing may go to the disk.
    Mapping a = Mapping::anonymous(4 * MiB);
    fill_pages(a.data(), a.pages(), PageContent::Compressible, 41);
    push_out(a.data(), a.bytes(), ctx.main_cgroup());
    uint64_t high1 = used(high_path), low1 = used(low_path);
    // 16 MiB more overflow the file onto the disk.
    Mapping b = Mapping::anonymous(16 * MiB);
    fill_pages(b.data(), b.pages(), PageContent::Compressible, 42);
    push_out(b.data(), b.bytes(), ctx.main_cgroup());
    uint64_t high2 = used(high_path), low2 = used(low_path);
    ctx.note("used_bytes", {{"high_after_4MiB", high1},
                            {"low_after_4MiB", low1},
                            {"high_after_20MiB", high2},
                            {"low_after_20MiB", low2}});
    require(high1 >= 4 * MiB * 9 / 10 && low1 == 0,
            "4 MiB did not all go to the priority-10 file: file " + std::to_string(high1) +
                " bytes, disk " + std::to_string(low1));
    require(high2 >= 7 * MiB,
            "the priority-10 file was not filled first (" + std::to_string(high2) + " bytes used)");
    require(low2 >= 8 * MiB, "the overflow did not reach the priority-5 disk (" +
                                 std::to_string(low2) + " bytes used)");
    require_intact(a.data(), a.pages(), PageContent::Compressible, 41, "first range");
    require_intact(b.data(), b.pages(), PageContent::Compressible, 42, "second range");
    a = Mapping();
    b = Mapping();
    high.teardown();
}

// Random pages (each needs a slot of its own) pushed out to the swap area
// of the test's backend, which swapoff is then to read back.
struct SwappedOut {
    std::filesystem::path area;
    Mapping pages;
    PagemapSummary pagemap;
};

SwappedOut swap_out_random(TestContext& ctx, uint64_t bytes, uint64_t seed) {
    const auto& area = ctx.require_backend().swap_area();
    require(area.has_value(), "the backend has no swap area");
    SwappedOut out{*area, Mapping::anonymous(bytes), {}};
    fill_pages(out.pages.data(), out.pages.pages(), PageContent::Random, seed);
    out.pagemap = push_out(out.pages.data(), out.pages.bytes(), ctx.main_cgroup());
    require_mostly_swapped(out.pagemap);
    return out;
}

// swapoff reads pages back that no task asked for: with virtual swap they
// are not refaults, so they neither count as one nor get activated (reclaim
// is to move them out again). The unpatched kernel counts every page its
// swapoff reads as a refault of the workingset shadow reclaim left.
void swapoff_not_refault(TestContext& ctx) {
    auto [area, m, pm] = swap_out_random(ctx, 16 * MiB, 61);
    auto before = sysfs::read_vmstat();
    if (int error = try_swap_off(area))
        fail("swapoff " + area.string() + ": " + std::strerror(error));
    auto delta = sysfs::counter_delta(before, sysfs::read_vmstat());
    if (int error = try_swap_on(area))
        fail("swapon " + area.string() + ": " + std::strerror(error));
    const uint64_t refaults = delta["workingset_refault_anon"];
    const uint64_t activated = delta["workingset_activate_anon"];
    ctx.note("swapoff", {{"swapped_out", pm.swapped},
                         {"pswpin", delta["pswpin"]},
                         {"workingset_refault_anon", refaults},
                         {"workingset_activate_anon", activated}});
    require(delta["pswpin"] >= pm.swapped * 9 / 10,
            "swapoff read back only " + std::to_string(delta["pswpin"]) + " of " +
                std::to_string(pm.swapped) + " pages: nothing was tested");
    if (!kernel_has_slotless_entries())
        not_supported("this kernel's swapoff counts its reads as refaults "
                      "(workingset_refault_anon +" +
                      std::to_string(refaults) + ", workingset_activate_anon +" +
                      std::to_string(activated) + " for " + std::to_string(delta["pswpin"]) +
                      " pages read)");
    // Other tasks of the guest may refault a few pages meanwhile.
    require(refaults < pm.swapped / 100, "swapoff counted " + std::to_string(refaults) +
                                             " refaults for " + std::to_string(pm.swapped) +
                                             " pages it read back");
    require(activated < pm.swapped / 100,
            "swapoff activated " + std::to_string(activated) + " of the pages it read back");
    require_intact(m.data(), m.pages(), PageContent::Random, 61, "after swapoff");
}

// A signal stops swapoff: it fails with EINTR, the area stays on with
// what it still holds, and no page is lost. The agent relies on this to
// interrupt a swapoff that overruns its deadline (swapoff_deadline.h), and
// this test goes through that path, deadline and all.
void swapoff_interrupted(TestContext& ctx) {
    // A swapoff that has little to read may be done before the signal
    // lands, and then nothing was tested. vswap's swapoff, which walks no
    // page table, read 64 MiB back within the 0.05 s under TCG: give it 128.
    auto [area, m, pm] = swap_out_random(ctx, 128 * MiB, 71);
    constexpr double kDeadlineS = 0.05;
    auto result = swap_off_with_deadline(area, kDeadlineS);
    const auto swap = find_active_swap(area);
    const bool on = swap.has_value();
    const uint64_t left = swap ? swap->used_bytes : 0;
    ctx.note("interrupted", {{"swapped_out", pm.swapped},
                             {"errno", result.error},
                             {"still_on", on},
                             {"used_bytes_left", left},
                             {"report", result.overran}});
    if (result.overran.empty())
        skip("swapoff of " + std::to_string(pm.swapped) + " pages finished within " +
             std::to_string(kDeadlineS) + " s (errno " + std::to_string(result.error) +
             "): nothing was interrupted");
    if (result.error == 0)
        skip("swapoff had read everything back before the signal reached it (" + result.overran +
             "): nothing was interrupted");
    require(result.error == EINTR,
            "an interrupted swapoff returned " +
                std::string(result.error ? std::strerror(result.error) : "success") +
                ", not EINTR");
    require(on, "the area is no longer on after an interrupted swapoff");
    require(left > 0, "the interrupted swapoff left nothing on the area: it was not cut short");
    require_intact(m.data(), m.pages(), PageContent::Random, 71, "after the interrupted swapoff");
}

struct LimitedState {
    std::atomic<int> filled{0};
    std::atomic<int> swapped_off{0};
};

// swapoff reads every page back into the cgroup of its owner. One at its
// memory.max must reclaim while swapoff runs, onto the other swap area:
// the reads that cannot be charged without reclaim take the slow way and
// nothing is lost. The owner checks its pages once swapoff is done.
void swapoff_memcg_limit(TestContext& ctx) {
    const auto& area = ctx.require_backend().swap_area();
    require(area.has_value(), "the backend has no swap area");
    // The runner's disk has priority 5: the owner's pages go there first.
    BackendOptions o;
    o.size_bytes = 96 * MiB;
    o.priority = 1;
    Backend other(BackendKind::Swapfile, o);
    const std::string other_path = other.swap_area()->string();
    constexpr uint64_t kBytes = 48 * MiB, kMax = 16 * MiB;
    Cgroup cg(ctx.cgroup_root(), "limited");
    cg.set("memory.max", std::to_string(kMax));
    Shared<LimitedState> state;
    ChildProcess owner(
        [&] {
            Mapping m = Mapping::anonymous(kBytes);
            fill_pages(m.data(), m.pages(), PageContent::Random, 91);
            state->filled = 1;
            while (!state->swapped_off)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            require_intact(m.data(), m.pages(), PageContent::Random, 91, "after swapoff");
            return 0;
        },
        cg.path());
    wait_until([&] { return state->filled || owner.poll().has_value(); }, 60);
    if (auto e = owner.poll())
        fail("the owner stopped before swapoff: " + e->describe());
    const uint64_t on_area = used(area->string()), on_other = used(other_path);
    const int error = try_swap_off(*area);
    const uint64_t other_after = used(other_path);
    state->swapped_off = 1;
    ChildExit e = owner.wait(60);
    auto events = cg.events();
    if (int on_error = try_swap_on(*area))
        fail("swapon " + area->string() + ": " + std::strerror(on_error));
    ctx.note("swapoff", {{"area_used_before", on_area},
                         {"other_used_before", on_other},
                         {"other_used_after", other_after},
                         {"memory_max_events", events["max"]}});
    require(on_area >= (kBytes - kMax) / 2,
            "only " + mib(on_area) + " were on the area at swapoff: little to read back");
    if (error)
        fail("swapoff " + area->string() +
             " into a cgroup at its memory.max: " + std::strerror(error));
    if (!e.ok())
        fail("the owner " + e.describe());
    require(other_after > on_other + 8 * MiB,
            "the other area went from " + mib(on_other) + " to " + mib(other_after) +
                ": swapoff's reads did not make the cgroup reclaim");
    other.teardown();
}

// Entries that only the swap cache holds: MADV_WILLNEED starts reads of a
// swapped-out range into the swap cache, and MADV_DONTNEED at once drops
// the owner's references while the reads are in flight (their folios
// locked, so the zap cannot free them). swapoff must drop those
// entries and finish; with virtual swap, their descriptors must go too.
void swapoff_orphans(TestContext& ctx) {
    const bool vswap = kernel_has_slotless_entries();
    const uint64_t entries_before = vswap ? vswap_counter("entries") : 0;
    const uint64_t cached_before = sysfs::read_meminfo()["SwapCached"];
    auto [area, m, pm] = swap_out_random(ctx, 32 * MiB, 81);
    // Chunk by chunk: the reads of a chunk are in flight when it is dropped.
    constexpr uint64_t kChunk = 256 * 1024;
    for (uint64_t off = 0; off < m.bytes(); off += kChunk) {
        if (madvise(m.data() + off, kChunk, MADV_WILLNEED) != 0)
            fail(std::string("MADV_WILLNEED: ") + std::strerror(errno));
        if (madvise(m.data() + off, kChunk, MADV_DONTNEED) != 0)
            fail(std::string("MADV_DONTNEED: ") + std::strerror(errno));
    }
    m = Mapping();
    const uint64_t cached = sysfs::read_meminfo()["SwapCached"];
    const uint64_t orphans = cached > cached_before ? (cached - cached_before) / kPage : 0;
    const uint64_t entries_orphaned = vswap ? vswap_counter("entries") : 0;
    ctx.note("unmapped", {{"swapped_out", pm.swapped},
                          {"swap_cached_pages", orphans},
                          {"vswap_entries_before", entries_before},
                          {"vswap_entries", entries_orphaned}});
    // SwapCached is summed from per-CPU counters that drift by a few pages.
    if (orphans < 64)
        skip("the reads had finished before the range was dropped: only " +
             std::to_string(orphans) + " pages were left to the swap cache alone");
    if (int error = try_swap_off(area))
        fail("swapoff " + area.string() + " with " + std::to_string(orphans) +
             " pages left to the swap cache: " + std::strerror(error));
    const uint64_t cached_after = sysfs::read_meminfo()["SwapCached"];
    const uint64_t entries_after = vswap ? vswap_counter("entries") : 0;
    if (int error = try_swap_on(area))
        fail("swapon " + area.string() + ": " + std::strerror(error));
    ctx.note("swapoff", {{"swap_cached_bytes", cached_after}, {"vswap_entries", entries_after}});
    // Other tasks may swap a few pages meanwhile.
    require(cached_after <= cached_before + 64 * kPage,
            "SwapCached is " + mib(cached_after) + " after swapoff (" + mib(cached_before) +
                " before the test)");
    require(!vswap || entries_after <= entries_before + 64,
            std::to_string(entries_after) + " vswap entries after swapoff, " +
                std::to_string(entries_before) + " before the test: swapoff left the " +
                "orphaned ones");
}

} // namespace

void add_swapoff_tests(std::vector<TestCase>& tests) {
    for (BackendKind kind : {BackendKind::Disk, BackendKind::Zswap}) {
        TestCase t;
        t.name = "swapoff.cycle." + std::string(backend_name(kind));
        t.summary = "swapoff/swapon cycles while a writer rewrites and verifies its data";
        t.backend = kind;
        t.body = swapoff_cycle;
        tests.push_back(t);
    }
    TestCase p;
    p.name = "swapoff.priority";
    p.summary = "two swap devices: the higher priority fills first, then the lower";
    p.backend = BackendKind::Disk;
    p.backend_options.priority = 5;
    p.body = swap_priority;
    tests.push_back(p);

    TestCase r;
    r.name = "swapoff.not_refault";
    r.summary = "swapoff's reads are not refaults: no workingset refault or activation";
    r.backend = BackendKind::Disk;
    r.body = swapoff_not_refault;
    tests.push_back(r);

    TestCase o;
    o.name = "swapoff.orphans";
    o.summary = "swapoff drops entries that only the swap cache holds (their owner unmapped "
                "them during readahead)";
    o.backend = BackendKind::Disk;
    o.body = swapoff_orphans;
    tests.push_back(o);

    TestCase l;
    l.name = "swapoff.memcg_limit";
    l.summary = "swapoff into a cgroup at its memory.max reclaims onto the other area and "
                "loses nothing";
    l.backend = BackendKind::Disk;
    l.backend_options.priority = 5;
    l.body = swapoff_memcg_limit;
    tests.push_back(l);

    TestCase i;
    i.name = "swapoff.interrupted";
    i.summary = "a signal stops swapoff with EINTR; the area stays on and no page is lost";
    i.backend = BackendKind::Disk;
    i.body = swapoff_interrupted;
    tests.push_back(i);
}

} // namespace vswap::tests
