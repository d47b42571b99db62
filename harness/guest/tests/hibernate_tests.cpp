// Hibernation's swap pages: the slots kernel/power/swap.c allocates for the
// image, taken through /dev/snapshot as a user-space hibernation tool
// (s2disk) takes them. They must come from free slots only (never from a
// swapped-out page's), swap-out must never reuse them while they are held,
// and freeing the image must return every one.
//
// A whole hibernation cycle (echo disk > /sys/power/state, then a boot
// that restores the image) needs two boots without the 9p shares, which do
// not survive a restore: `scripts/vswap test --hibernate` runs it
// (host/hibernate_cycle.cpp, guest/hibernate_cycle.cpp).
#include "guest/tests/fd.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/suspend_ioctls.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace vswap::tests {
namespace {

const std::filesystem::path kSnapshotDevice = "/dev/snapshot";
constexpr uint64_t kDataSeed = 31;
constexpr uint64_t kImageSeed = 47;

[[noreturn]] void fail_errno(const std::string& what) {
    fail(what + ": " + std::strerror(errno));
}

// The kernel's new_encode_dev(), which SNAPSHOT_SET_SWAP_AREA decodes.
uint32_t encode_dev(dev_t dev) {
    const uint32_t maj = major(dev), min = minor(dev);
    return (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
}

// Free pages of the snapshot's swap area, as s2disk asks before writing.
uint64_t snapshot_free_pages(const Fd& snapshot) {
    __kernel_loff_t bytes = 0;
    if (ioctl(snapshot.fd, SNAPSHOT_AVAIL_SWAP_SIZE, &bytes) != 0)
        fail_errno("SNAPSHOT_AVAIL_SWAP_SIZE");
    return static_cast<uint64_t>(bytes) / kPage;
}

// Allocates image pages until the area is full; returns their byte offsets.
std::vector<uint64_t> allocate_image_pages(const Fd& snapshot, uint64_t area_pages) {
    std::vector<uint64_t> offsets;
    for (;;) {
        __kernel_loff_t offset = 0;
        if (ioctl(snapshot.fd, SNAPSHOT_ALLOC_SWAP_PAGE, &offset) != 0) {
            if (errno == ENOSPC)
                return offsets;
            fail_errno("SNAPSHOT_ALLOC_SWAP_PAGE after " + std::to_string(offsets.size()) +
                       " pages");
        }
        offsets.push_back(static_cast<uint64_t>(offset));
        if (offsets.size() > area_pages)
            fail("SNAPSHOT_ALLOC_SWAP_PAGE gave more pages than the area's " +
                 std::to_string(area_pages));
    }
}

// Writes (or reads back and checks) the image page at each offset through
// the block device, bypassing the page cache as swap I/O does. Returns the
// number of pages that did not read back as written.
size_t image_io(const std::filesystem::path& device, const std::vector<uint64_t>& offsets,
                bool write) {
    Fd dev(open(device.c_str(), (write ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC));
    if (dev.fd < 0)
        fail_errno("cannot open " + device.string() + " for the image");
    Mapping buffer = Mapping::anonymous(kPage); // page-aligned, as O_DIRECT needs
    auto* words = reinterpret_cast<uint64_t*>(buffer.data());
    size_t bad = 0;
    for (uint64_t offset : offsets) {
        const auto at = static_cast<off_t>(offset);
        if (write) {
            fill_page(words, PageContent::Random, kImageSeed, offset / kPage);
            if (pwrite(dev.fd, words, kPage, at) != static_cast<ssize_t>(kPage))
                fail_errno("writing the image page at byte " + std::to_string(offset));
        } else {
            if (pread(dev.fd, words, kPage, at) != static_cast<ssize_t>(kPage))
                fail_errno("reading the image page at byte " + std::to_string(offset));
            bad += verify_page(words, PageContent::Random, kImageSeed, offset / kPage) ? 1 : 0;
        }
    }
    return bad;
}

void require_valid_offsets(std::vector<uint64_t> offsets, uint64_t area_bytes) {
    std::sort(offsets.begin(), offsets.end());
    if (auto dup = std::adjacent_find(offsets.begin(), offsets.end()); dup != offsets.end())
        fail("the image got the page at byte " + std::to_string(*dup) + " twice");
    for (uint64_t offset : offsets)
        require(offset % kPage == 0 && offset >= kPage && offset < area_bytes,
                "image page at byte " + std::to_string(offset) +
                    " is not a page of the area past its header");
}

void hibernate_swap_pages(TestContext& ctx) {
    std::error_code ec;
    if (!std::filesystem::exists(kSnapshotDevice, ec))
        not_supported("no /dev/snapshot: this kernel is built without CONFIG_HIBERNATION");
    const auto& area = ctx.require_backend().swap_area();
    require(area.has_value(), "the backend has no swap area");
    struct stat st {};
    if (stat(area->c_str(), &st) != 0 || !S_ISBLK(st.st_mode))
        fail(area->string() + " is not a block device");
    const auto swap = find_active_swap(*area);
    const uint64_t area_pages = swap ? swap->size_bytes / kPage : 0;
    require(area_pages > 0, area->string() + " is not in /proc/swaps");

    // Random pages: each needs a slot of its own (no zswap, no fill word).
    Mapping m = Mapping::anonymous(16 * MiB);
    fill_pages(m.data(), m.pages(), PageContent::Random, kDataSeed);
    const auto out = push_out(m.data(), m.bytes(), ctx.main_cgroup());
    require_mostly_swapped(out);

    Fd snapshot(open(kSnapshotDevice.c_str(), O_RDONLY | O_CLOEXEC));
    if (snapshot.fd < 0)
        fail_errno("cannot open /dev/snapshot");
    resume_swap_area swap_area{};
    swap_area.offset = 0;
    swap_area.dev = encode_dev(st.st_rdev);
    if (ioctl(snapshot.fd, SNAPSHOT_SET_SWAP_AREA, &swap_area) != 0)
        fail_errno("SNAPSHOT_SET_SWAP_AREA " + area->string());

    const uint64_t free_before = snapshot_free_pages(snapshot);
    require(free_before + out.swapped <= area_pages,
            "the snapshot sees " + std::to_string(free_before) + " free pages of " +
                std::to_string(area_pages) + " while " + std::to_string(out.swapped) +
                " are swapped out");
    const auto image = allocate_image_pages(snapshot, area_pages);
    const uint64_t free_full = snapshot_free_pages(snapshot);
    ctx.note("allocation", {{"area_pages", area_pages},
                            {"swapped_out", out.swapped},
                            {"free_before", free_before},
                            {"image_pages", image.size()},
                            {"free_after", free_full}});
    // Slots freed meanwhile (a per-CPU slot cache handing its slots back,
    // another task's page freed) may join the image; none may be missing.
    constexpr uint64_t kFreedMeanwhile = 64; // one slot cache's batch
    require(image.size() >= free_before && image.size() <= free_before + kFreedMeanwhile,
            "the image got " + std::to_string(image.size()) + " pages where " +
                std::to_string(free_before) + " were free");
    require(free_full == 0, std::to_string(free_full) + " pages still free after ENOSPC");
    require_valid_offsets(image, area_pages * kPage + kPage);

    // No image page was a swapped-out page's slot: writing the image over
    // them leaves the swapped-out data intact.
    image_io(*area, image, true);
    require_intact(m.data(), m.pages(), PageContent::Random, kDataSeed,
                   "swapped-out pages after the image was written");
    // Swapping out again must take only slots the faults freed.
    const uint64_t out_before = swapped_out_total();
    push_out(m.data(), m.bytes(), ctx.main_cgroup());
    const uint64_t swapped_again = swapped_out_total() - out_before;
    const size_t bad = image_io(*area, image, false);
    const uint64_t free_held = snapshot_free_pages(snapshot);
    if (ioctl(snapshot.fd, SNAPSHOT_FREE_SWAP_PAGES) != 0)
        fail_errno("SNAPSHOT_FREE_SWAP_PAGES");
    const uint64_t free_after = snapshot_free_pages(snapshot);
    ctx.note("after", {{"swapped_out_again", swapped_again},
                       {"image_pages_overwritten", bad},
                       {"free_while_held", free_held},
                       {"free_after_release", free_after}});
    require(bad == 0, std::to_string(bad) + " of " + std::to_string(image.size()) +
                          " image pages were overwritten while hibernation held them");
    require(swapped_again > 0, "nothing was swapped out while the image was held: "
                               "the reuse of its pages was not tested");
    require(free_after == free_held + image.size(),
            "freeing the image returned " + std::to_string(free_after - free_held) + " of " +
                std::to_string(image.size()) + " pages");
    require_intact(m.data(), m.pages(), PageContent::Random, kDataSeed,
                   "swapped-out pages after the image was freed");
}

} // namespace

void add_hibernate_tests(std::vector<TestCase>& tests) {
    TestCase t;
    t.name = "hibernate.swap_pages";
    t.summary = "hibernation's image pages come from free slots only, swap-out never reuses "
                "them while held, and freeing returns them all";
    t.backend = BackendKind::Disk;
    t.backend_options.size_bytes = 32 * MiB;
    t.body = hibernate_swap_pages;
    tests.push_back(t);
}

} // namespace vswap::tests
