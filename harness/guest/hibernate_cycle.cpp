#include "guest/hibernate_cycle.h"

#include "common/hibernate_protocol.h"
#include "guest/backend.h"
#include "guest/swapoff_deadline.h"
#include "guest/sysfs.h"
#include "guest/tests/cgroup.h"
#include "guest/tests/framework.h"
#include "guest/tests/memory.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace vswap {
namespace {

using namespace tests;
namespace fs = std::filesystem;

const fs::path kSwapDevice = "/dev/vda";
const fs::path kShmemFile = "/tmp/hibernate-shmem";
const fs::path kCgroup = fs::path(kCgroupMount) / "hibernate";
const fs::path kZswapEnabled = "/sys/module/zswap/parameters/enabled";

// Pushed out before hibernating: every kind of page a swap entry can hold
// (random data on a slot; zero and same-filled pages, which vswap keeps
// in the descriptor).
constexpr size_t kSwappedBytes = 32 * MiB;
constexpr uint64_t kSwappedSeed = 61;
// Left in memory: in the image, unless hibernation's own reclaim swaps
// it out to bring the image down to kImageSizeBytes.
constexpr size_t kResidentBytes = 48 * MiB;
constexpr uint64_t kResidentSeed = 67;
// A tmpfs file's compressible pages, pushed out into zswap: shmem's swap
// entries, in zswap's pool (which is in the image).
constexpr size_t kShmemBytes = 16 * MiB;
constexpr PageContent kShmemContent = PageContent::Compressible;
constexpr uint64_t kShmemSeed = 71;
// /sys/power/image_size: below what is resident, so that hibernation
// reclaims (swaps out) before it takes the snapshot.
constexpr uint64_t kImageSizeBytes = 24 * MiB;

// The memory the cycle checks, filled in boot 1 and verified after the
// restore.
struct Patterns {
    Mapping swapped, resident, shmem;

    static Patterns fill() {
        Patterns p;
        p.swapped = Mapping::anonymous(kSwappedBytes);
        fill_mixed(p.swapped.data(), p.swapped.pages(), kSwappedSeed);
        p.resident = Mapping::anonymous(kResidentBytes);
        fill_pages(p.resident.data(), p.resident.pages(), PageContent::Random, kResidentSeed);
        int fd = open(kShmemFile.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || ftruncate(fd, static_cast<off_t>(kShmemBytes)) != 0)
            fail("cannot make the tmpfs file " + kShmemFile.string() + ": " + std::strerror(errno));
        p.shmem = Mapping::shared_file(fd, kShmemBytes);
        close(fd);
        fill_pages(p.shmem.data(), p.shmem.pages(), kShmemContent, kShmemSeed);
        return p;
    }

    // Corrupt pages per region; fails the cycle if any.
    void verify(nlohmann::json& out, const std::string& when) const {
        const VerifyReport a = verify_mixed(swapped.data(), swapped.pages(), kSwappedSeed);
        const VerifyReport b =
            verify_pages(resident.data(), resident.pages(), PageContent::Random, kResidentSeed);
        const VerifyReport c = verify_pages(shmem.data(), shmem.pages(), kShmemContent, kShmemSeed);
        out["corrupt_pages_" + when] = a.bad_pages + b.bad_pages + c.bad_pages;
        require(a.intact(), "swapped-out anonymous pages " + when + ": " +
                                a.describe(PageContent::Random) + " (mixed content)");
        require(b.intact(),
                "resident anonymous pages " + when + ": " + b.describe(PageContent::Random));
        require(c.intact(), "tmpfs pages " + when + ": " + c.describe(kShmemContent));
    }
};

// Boot 1 up to the write to /sys/power/state, which returns only in the
// restored kernel (or with an error when no image was written).
void hibernate(nlohmann::json& out, Patterns& patterns) {
    if (!fs::exists("/sys/power/disk"))
        not_supported("no /sys/power/disk: this kernel is built without CONFIG_HIBERNATION");
    write_swap_header(kSwapDevice, device_bytes(kSwapDevice) / kPageSize);
    swap_on(kSwapDevice);
    enable_memory_controller(kCgroupMount);
    fs::create_directory(kCgroup);
    move_to_cgroup(kCgroup);

    patterns = Patterns::fill();
    const auto anon = push_out(patterns.swapped.data(), patterns.swapped.bytes(), kCgroup);
    require_mostly_swapped(anon, "anonymous pages");
    // The tmpfs file goes to zswap; pagemap shows its swapped-out pages
    // as unmapped, so count them.
    if (!fs::exists(kZswapEnabled))
        not_supported("no " + kZswapEnabled.string() + ": this kernel is built without zswap");
    sysfs::write_text(kZswapEnabled, "Y");
    const uint64_t zswpout_before = sysfs::read_vmstat()["zswpout"];
    push_out(patterns.shmem.data(), patterns.shmem.bytes(), kCgroup);
    const uint64_t shm = sysfs::read_vmstat()["zswpout"] - zswpout_before;
    require(shm >= patterns.shmem.pages() * 9 / 10, "only " + std::to_string(shm) + " of " +
                                                        std::to_string(patterns.shmem.pages()) +
                                                        " tmpfs pages went to zswap");
    out["swapped_anon_pages"] = anon.swapped;
    out["zswapped_shmem_pages"] = shm;
    out["swap_used_before"] = swap_used_bytes();
    if (auto counters = sysfs::read_vswap_counters(); counters && counters->values.count("entries"))
        out["vswap_entries_before"] = counters->values.at("entries");

    sysfs::write_text("/sys/power/image_size", std::to_string(kImageSizeBytes));
    sysfs::write_text("/sys/power/disk", "shutdown");
    std::fprintf(stderr, "hibernate-cycle: hibernating\n");
    const int error = sysfs::try_write_text("/sys/power/state", "disk");
    if (error)
        fail(std::string("hibernation failed: writing 'disk' to /sys/power/state: ") +
             std::strerror(error));
}

// Boot 2, in the restored process: every page, swapoff, the counters.
void check_restored(nlohmann::json& out, Patterns& patterns) {
    out["resumed"] = true;
    out["swap_used_after_restore"] = swap_used_bytes();
    const uint64_t in_before = swapped_in_total();
    patterns.verify(out, "after_restore");
    out["swapped_in_by_verify"] = swapped_in_total() - in_before;

    const SwapOffResult off = swap_off_with_deadline(kSwapDevice);
    require(off.overran.empty(), "swapoff after the restore: " + off.overran);
    require(off.error == 0, "swapoff after the restore: " + std::string(std::strerror(off.error)));
    patterns.verify(out, "after_swapoff");

    patterns = Patterns{};
    fs::remove(kShmemFile);
    // Hibernation's reclaim swapped out pages of init and of the rootfs
    // too: the suite's leak check faults those back before it judges.
    const LeakCheck leak = check_vswap_leaks();
    out["leak_check"] = leak.status;
    out["faulted_back"] = leak.faulted_back;
    require(leak.status == "pass" || leak.status == "not supported",
            "leak check " + leak.status + ": " + leak.reason);
}

} // namespace

int hibernate_cycle_main(int argc, char** argv) {
    const std::string phase = argc == 2 ? argv[1] : "";
    if (phase != kHibernateSuspend && phase != kHibernateResume) {
        const bool help = phase == "--help";
        std::fprintf(help ? stdout : stderr,
                     "usage: vswap-guest hibernate-cycle suspend|resume\n"
                     "Run by /init when the kernel command line has %s=PHASE: 'suspend'\n"
                     "fills memory, swaps part of it out and hibernates to %s; the\n"
                     "restored process verifies it all. Reaching 'resume' means no image\n"
                     "was restored. Prints one line: '%s' and JSON.\n",
                     kHibernateParam, kSwapDevice.c_str(), kHibernateResultPrefix);
        return help ? 0 : 2;
    }
    nlohmann::json out = {{"phase", phase}, {"resumed", false}};
    std::string status = "fail";
    try {
        if (phase == kHibernateResume)
            fail("the kernel booted afresh: no hibernation image was restored");
        Patterns patterns;
        hibernate(out, patterns);
        check_restored(out, patterns);
        status = "pass";
    } catch (const TestOutcome& e) {
        status = std::string(status_name(e.status));
        out["reason"] = e.what();
    } catch (const std::exception& e) {
        out["reason"] = e.what();
    }
    out["result"] = status;
    std::printf("%s%s\n", kHibernateResultPrefix, out.dump().c_str());
    std::fflush(stdout);
    return status == "pass" ? 0 : 1;
}

} // namespace vswap
