// Swap backends in the guest, set up and torn down with RAII.
//
//   disk        a swap area over the swap disk (/dev/vda by default)
//   swapfile    a swap file on the ext4 scratch disk (/dev/vdb), no holes
//   zram        /dev/zram0 with the kernel's default compressor
//   ramdisk     a swap area on /dev/ram0 (brd): fast and synchronous, like
//               PMEM, so that swap's own CPU cost is what is measured
//   zswap       zswap in front of the swap disk
//   zswap-only  zswap with no swap device: only a vswap kernel can swap
//               this way, so it is "not supported" where
//               /sys/kernel/debug/vswap does not exist
//
// Usage:
//   BackendOptions o;                       // defaults suit the suite guest
//   if (auto c = check_backend(kind, o); !c.available()) report(c.reason);
//   Backend b(kind, o);                     // throws BackendError on failure
//   ... workload ...
//   b.teardown();                           // or let the destructor do it
//
// The low-level swap-area helpers (header, swapon, swapoff, /proc/swaps)
// are public too: the bad-input tests craft broken swap areas with them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vswap {

enum class BackendKind { Disk, Swapfile, Zram, Ramdisk, Zswap, ZswapOnly };

inline constexpr BackendKind kAllBackends[] = {BackendKind::Disk,  BackendKind::Swapfile,
                                               BackendKind::Zram,  BackendKind::Ramdisk,
                                               BackendKind::Zswap, BackendKind::ZswapOnly};

std::optional<BackendKind> parse_backend(std::string_view name);
std::string_view backend_name(BackendKind kind);

struct BackendOptions {
    std::filesystem::path swap_device = "/dev/vda";    // disk, zswap
    std::filesystem::path scratch_device = "/dev/vdb"; // ext4, for swapfile
    std::filesystem::path scratch_mount = "/mnt/scratch";
    std::string swapfile_name = "swapfile";
    // Size of the swap area; 0 means the whole disk for disk, zswap and
    // ramdisk, and 128 MiB for swapfile and zram.
    uint64_t size_bytes = 0;
    int priority = -1;                   // swapon priority; -1 lets the kernel choose
    bool zswap_shrinker = false;         // zswap's shrinker_enabled while set up
    unsigned zswap_max_pool_percent = 0; // 0 keeps the kernel's value
};

// Whether a backend can be set up here, and why not: NotSupported when the
// kernel lacks the feature, Unavailable when the guest lacks a disk or device.
struct BackendCheck {
    enum class Status { Available, NotSupported, Unavailable };
    Status status = Status::Available;
    std::string reason; // why not, for the test report
    bool available() const { return status == Status::Available; }
};
BackendCheck check_backend(BackendKind kind, const BackendOptions& options = {});

// Whether swapped-out pages can live without a physical slot (in zswap with
// no swap device, as zero pages, in their folio): virtual swap, series
// part 2, whose backing_zero counter says so.
bool kernel_has_slotless_entries();

// Whether pages that repeat a non-zero word are kept as that word, with no
// storage (its backing_filled counter says so).
bool kernel_has_fill_backings();

// Setting up or tearing down failed; the message names the step and errno.
class BackendError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Backend {
public:
    // Throws BackendError when check_backend() says no or a step fails;
    // what was set up before the failure is undone.
    explicit Backend(BackendKind kind, BackendOptions options = {});
    ~Backend();
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    BackendKind kind() const { return kind_; }
    // The swap area this backend swapped on (empty for zswap-only).
    const std::optional<std::filesystem::path>& swap_area() const { return area_; }
    bool uses_zswap() const {
        return kind_ == BackendKind::Zswap || kind_ == BackendKind::ZswapOnly;
    }
    std::string describe() const;

    // Swaps off and restores what setup changed; throws BackendError on the
    // first failure (after trying every step). Idempotent.
    void teardown();

private:
    void setup();
    void enable_zswap();
    void mount_scratch();

    BackendKind kind_;
    BackendOptions options_;
    std::optional<std::filesystem::path> area_; // swapped on
    std::optional<std::filesystem::path> created_file_;
    bool mounted_scratch_ = false;
    bool zram_configured_ = false;
    uint64_t ramdisk_bytes_ = 0;                     // discarded at teardown, which frees its pages
    std::map<std::string, std::string> saved_zswap_; // parameter -> old value
    bool torn_down_ = false;
};

// --- swap areas -----------------------------------------------------------

inline constexpr uint64_t kPageSize = 4096;

// Writes a version-1 swap header ("SWAPSPACE2") claiming `pages` pages
// (header page included) at the start of `path`, like mkswap.
void write_swap_header(const std::filesystem::path& path, uint64_t pages);
// Size of a block device or regular file in bytes.
uint64_t device_bytes(const std::filesystem::path& path);

// swapon(2) / swapoff(2); priority -1 lets the kernel choose. Return 0 or
// the errno, so that tests can check refusals. swapoff has a deadline
// (swapoff_deadline.h): one that overruns it is reported and interrupted.
int try_swap_on(const std::filesystem::path& path, int priority = -1);
int try_swap_off(const std::filesystem::path& path);
// Throwing forms, with the path and errno in the message.
void swap_on(const std::filesystem::path& path, int priority = -1);
void swap_off(const std::filesystem::path& path);

struct ActiveSwap {
    std::string path;
    std::string type; // partition or file
    uint64_t size_bytes = 0;
    uint64_t used_bytes = 0;
    int priority = 0;
};
std::vector<ActiveSwap> parse_proc_swaps(std::string_view text);
std::vector<ActiveSwap> active_swaps(); // /proc/swaps
// The active swap area at `path`, if it is on.
std::optional<ActiveSwap> find_active_swap(const std::filesystem::path& path);
uint64_t swap_used_bytes(); // summed over active_swaps()

// Creates a file of `bytes` zeros (written, so it has no holes).
void create_zero_file(const std::filesystem::path& path, uint64_t bytes);

} // namespace vswap
