#include "guest/backend.h"

#include "common/text.h"
#include "guest/swapoff_deadline.h"
#include "guest/sysfs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

namespace vswap {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kDefaultAreaBytes = 128ull << 20;
const fs::path kZswapParams = "/sys/module/zswap/parameters";
const fs::path kZram = "/sys/block/zram0";
const fs::path kZramDevice = "/dev/zram0";
const fs::path kRamdiskDevice = "/dev/ram0";

std::string errno_text(int error) {
    return std::strerror(error);
}

bool is_mounted(const fs::path& where) {
    auto mounts = sysfs::read_text_if_exists("/proc/mounts").value_or("");
    for (const auto& line : split_lines(mounts)) {
        auto fields = split(line, ' ');
        if (fields.size() > 1 && fields[1] == where.string())
            return true;
    }
    return false;
}

bool is_block_device(const fs::path& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
}

// BLKDISCARD over the first `bytes`: a RAM disk frees those pages.
void discard_device(const fs::path& path, uint64_t bytes) {
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        throw BackendError("cannot open " + path.string() + ": " + errno_text(errno));
    uint64_t range[2] = {0, bytes};
    const int error = ioctl(fd, BLKDISCARD, range) == 0 ? 0 : errno;
    close(fd);
    if (error)
        throw BackendError("BLKDISCARD on " + path.string() + ": " + errno_text(error));
}

} // namespace

std::optional<BackendKind> parse_backend(std::string_view name) {
    for (BackendKind kind : kAllBackends)
        if (backend_name(kind) == name)
            return kind;
    return std::nullopt;
}

std::string_view backend_name(BackendKind kind) {
    switch (kind) {
    case BackendKind::Disk:
        return "disk";
    case BackendKind::Swapfile:
        return "swapfile";
    case BackendKind::Zram:
        return "zram";
    case BackendKind::Ramdisk:
        return "ramdisk";
    case BackendKind::Zswap:
        return "zswap";
    case BackendKind::ZswapOnly:
        return "zswap-only";
    }
    return "unknown";
}

BackendCheck check_backend(BackendKind kind, const BackendOptions& options) {
    using Status = BackendCheck::Status;
    const bool needs_disk = kind == BackendKind::Disk || kind == BackendKind::Zswap;
    if (needs_disk && !is_block_device(options.swap_device))
        return {Status::Unavailable,
                "no swap disk at " + options.swap_device.string() + " (boot with --swap-disk)"};
    if (kind == BackendKind::Swapfile && !is_block_device(options.scratch_device) &&
        !is_mounted(options.scratch_mount))
        return {Status::Unavailable, "no ext4 scratch disk at " + options.scratch_device.string() +
                                         " (boot with --scratch-disk)"};
    if (kind == BackendKind::Zram && !fs::exists(kZram))
        return {Status::Unavailable, "no zram device (" + kZram.string() + ")"};
    if (kind == BackendKind::Ramdisk && !is_block_device(kRamdiskDevice))
        return {Status::Unavailable,
                "no RAM disk at " + kRamdiskDevice.string() + " (CONFIG_BLK_DEV_RAM)"};
    if ((kind == BackendKind::Zswap || kind == BackendKind::ZswapOnly) &&
        !fs::exists(kZswapParams / "enabled"))
        return {Status::Unavailable, "this kernel has no zswap (CONFIG_ZSWAP)"};
    if (kind == BackendKind::ZswapOnly && !kernel_has_slotless_entries())
        return {Status::NotSupported, "zswap with no swap device needs virtual swap with slotless "
                                      "entries (no " +
                                          std::string(sysfs::kVswapDebugDir) +
                                          "/backing_zero on this kernel)"};
    return {};
}

std::optional<ActiveSwap> find_active_swap(const fs::path& path) {
    for (auto& s : active_swaps())
        if (s.path == path.string())
            return s;
    return std::nullopt;
}

uint64_t swap_used_bytes() {
    uint64_t used = 0;
    for (const auto& s : active_swaps())
        used += s.used_bytes;
    return used;
}

bool kernel_has_slotless_entries() {
    std::error_code ec;
    return fs::exists(fs::path(sysfs::kVswapDebugDir) / "backing_zero", ec);
}

bool kernel_has_fill_backings() {
    std::error_code ec;
    return fs::exists(fs::path(sysfs::kVswapDebugDir) / "backing_filled", ec);
}

// --- swap areas -----------------------------------------------------------

uint64_t device_bytes(const fs::path& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw BackendError("cannot open " + path.string() + ": " + errno_text(errno));
    struct stat st {};
    uint64_t bytes = 0;
    if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, &bytes) != 0) {
            int error = errno;
            close(fd);
            throw BackendError("cannot get the size of " + path.string() + ": " +
                               errno_text(error));
        }
    } else {
        bytes = static_cast<uint64_t>(st.st_size);
    }
    close(fd);
    return bytes;
}

void write_swap_header(const fs::path& path, uint64_t pages) {
    if (pages < 2 || pages - 1 > UINT32_MAX)
        throw BackendError("a swap area needs 2 to 2^32 pages, not " + std::to_string(pages));
    // Layout of union swap_header (include/linux/swap.h): 1024 boot bytes,
    // then version, last_page, nr_badpages; the magic ends the page.
    unsigned char page[kPageSize] = {};
    const uint32_t version = 1, last_page = static_cast<uint32_t>(pages - 1), bad = 0;
    std::memcpy(page + 1024, &version, 4);
    std::memcpy(page + 1028, &last_page, 4);
    std::memcpy(page + 1032, &bad, 4);
    // A fixed, recognisable UUID: blkid and the kernel ignore it.
    std::memcpy(page + 1036, "vswap-harness-id", 16);
    std::memcpy(page + kPageSize - 10, "SWAPSPACE2", 10);
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        throw BackendError("cannot open " + path.string() +
                           " to write a swap header: " + errno_text(errno));
    ssize_t n = pwrite(fd, page, sizeof page, 0);
    int error = n < 0 ? errno : 0;
    if (n >= 0 && fsync(fd) != 0)
        error = errno;
    close(fd);
    if (n != static_cast<ssize_t>(sizeof page) || error)
        throw BackendError("cannot write the swap header of " + path.string() + ": " +
                           errno_text(error ? error : EIO));
}

int try_swap_on(const fs::path& path, int priority) {
    int flags = 0;
    if (priority >= 0)
        flags = SWAP_FLAG_PREFER | ((priority << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK);
    return swapon(path.c_str(), flags) == 0 ? 0 : errno;
}

int try_swap_off(const fs::path& path) {
    // An overrun has been reported on stderr; the caller sees EINTR.
    return swap_off_with_deadline(path).error;
}

void swap_on(const fs::path& path, int priority) {
    if (int error = try_swap_on(path, priority))
        throw BackendError("swapon " + path.string() + ": " + errno_text(error));
}

void swap_off(const fs::path& path) {
    auto result = swap_off_with_deadline(path);
    if (!result.overran.empty())
        throw BackendError(result.overran);
    if (result.error)
        throw BackendError("swapoff " + path.string() + ": " + errno_text(result.error));
}

std::vector<ActiveSwap> parse_proc_swaps(std::string_view text) {
    std::vector<ActiveSwap> swaps;
    auto lines = split_lines(text);
    for (size_t i = 1; i < lines.size(); ++i) { // line 0 is the heading
        std::vector<std::string> fields;
        for (auto& f : split(lines[i], ' '))
            for (auto& g : split(f, '\t'))
                if (!g.empty())
                    fields.push_back(g);
        if (fields.size() < 5)
            continue;
        ActiveSwap s;
        s.path = fields[0];
        s.type = fields[1];
        s.size_bytes = std::stoull(fields[2]) * 1024;
        s.used_bytes = std::stoull(fields[3]) * 1024;
        s.priority = std::stoi(fields[4]);
        swaps.push_back(s);
    }
    return swaps;
}

std::vector<ActiveSwap> active_swaps() {
    return parse_proc_swaps(sysfs::read_text("/proc/swaps"));
}

void create_zero_file(const fs::path& path, uint64_t bytes) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw BackendError("cannot create " + path.string() + ": " + errno_text(errno));
    static const char zeros[1 << 16] = {};
    for (uint64_t done = 0; done < bytes;) {
        size_t chunk = static_cast<size_t>(std::min<uint64_t>(sizeof zeros, bytes - done));
        ssize_t n = write(fd, zeros, chunk);
        if (n <= 0) {
            int error = n < 0 ? errno : EIO;
            close(fd);
            throw BackendError("cannot write " + path.string() + ": " + errno_text(error));
        }
        done += static_cast<uint64_t>(n);
    }
    if (fsync(fd) != 0 || close(fd) != 0)
        throw BackendError("cannot flush " + path.string() + ": " + errno_text(errno));
}

// --- Backend --------------------------------------------------------------

Backend::Backend(BackendKind kind, BackendOptions options)
    : kind_(kind), options_(std::move(options)) {
    BackendCheck check = check_backend(kind_, options_);
    if (!check.available())
        throw BackendError(std::string(backend_name(kind_)) + ": " + check.reason);
    try {
        setup();
    } catch (...) {
        try {
            teardown();
        } catch (...) {
            // The setup error is the one worth reporting.
        }
        throw;
    }
}

Backend::~Backend() {
    try {
        teardown();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vswap-guest: tearing down %s: %s\n",
                     std::string(backend_name(kind_)).c_str(), e.what());
    }
}

std::string Backend::describe() const {
    std::string text(backend_name(kind_));
    if (area_)
        text += " on " + area_->string();
    return text;
}

void Backend::mount_scratch() {
    if (is_mounted(options_.scratch_mount))
        return;
    fs::create_directories(options_.scratch_mount);
    if (mount(options_.scratch_device.c_str(), options_.scratch_mount.c_str(), "ext4", 0,
              nullptr) != 0)
        throw BackendError("cannot mount " + options_.scratch_device.string() + " (ext4) on " +
                           options_.scratch_mount.string() + ": " + errno_text(errno));
    mounted_scratch_ = true;
}

void Backend::enable_zswap() {
    auto set = [this](const std::string& name, const std::string& value) {
        const fs::path file = kZswapParams / name;
        if (!saved_zswap_.count(name))
            saved_zswap_[name] = trim(sysfs::read_text(file));
        sysfs::write_text(file, value);
    };
    if (options_.zswap_max_pool_percent)
        set("max_pool_percent", std::to_string(options_.zswap_max_pool_percent));
    set("shrinker_enabled", options_.zswap_shrinker ? "Y" : "N");
    set("enabled", "Y");
}

void Backend::setup() {
    try {
        switch (kind_) {
        case BackendKind::Disk:
        case BackendKind::Zswap: {
            uint64_t bytes = device_bytes(options_.swap_device);
            if (options_.size_bytes)
                bytes = std::min(bytes, options_.size_bytes);
            write_swap_header(options_.swap_device, bytes / kPageSize);
            if (kind_ == BackendKind::Zswap)
                enable_zswap();
            swap_on(options_.swap_device, options_.priority);
            area_ = options_.swap_device;
            break;
        }
        case BackendKind::Swapfile: {
            mount_scratch();
            const fs::path file = options_.scratch_mount / options_.swapfile_name;
            const uint64_t bytes = options_.size_bytes ? options_.size_bytes : kDefaultAreaBytes;
            created_file_ = file;
            create_zero_file(file, bytes);
            write_swap_header(file, bytes / kPageSize);
            swap_on(file, options_.priority);
            area_ = file;
            break;
        }
        case BackendKind::Zram: {
            const uint64_t bytes = options_.size_bytes ? options_.size_bytes : kDefaultAreaBytes;
            sysfs::write_text(kZram / "reset", "1");
            zram_configured_ = true;
            sysfs::write_text(kZram / "disksize", std::to_string(bytes));
            write_swap_header(kZramDevice, bytes / kPageSize);
            swap_on(kZramDevice, options_.priority);
            area_ = kZramDevice;
            break;
        }
        case BackendKind::Ramdisk: {
            uint64_t bytes = device_bytes(kRamdiskDevice);
            if (options_.size_bytes)
                bytes = std::min(bytes, options_.size_bytes);
            ramdisk_bytes_ = bytes;
            write_swap_header(kRamdiskDevice, bytes / kPageSize);
            swap_on(kRamdiskDevice, options_.priority);
            area_ = kRamdiskDevice;
            break;
        }
        case BackendKind::ZswapOnly:
            enable_zswap();
            break;
        }
    } catch (const sysfs::SysfsError& e) {
        throw BackendError(std::string(backend_name(kind_)) + " setup: " + e.what());
    }
}

void Backend::teardown() {
    if (torn_down_)
        return;
    torn_down_ = true;
    std::vector<std::string> errors;
    auto attempt = [&errors](const std::function<void()>& step) {
        try {
            step();
        } catch (const std::exception& e) {
            errors.push_back(e.what());
        }
    };
    if (area_)
        attempt([this] {
            // A test may have swapped it off itself (swapoff cycles).
            if (find_active_swap(*area_))
                swap_off(*area_);
        });
    // zswap is disabled after swapoff, which has emptied it.
    for (const auto& [name, value] : saved_zswap_)
        attempt([&, name = name, value = value] {
            if (name != "enabled")
                sysfs::write_text(kZswapParams / name, value);
        });
    if (auto it = saved_zswap_.find("enabled"); it != saved_zswap_.end())
        attempt([&] { sysfs::write_text(kZswapParams / "enabled", it->second); });
    if (zram_configured_)
        attempt([] { sysfs::write_text(kZram / "reset", "1"); });
    if (ramdisk_bytes_)
        attempt([this] { discard_device(kRamdiskDevice, ramdisk_bytes_); });
    if (created_file_)
        attempt([this] {
            std::error_code ec;
            fs::remove(*created_file_, ec);
            if (ec)
                throw BackendError("cannot remove " + created_file_->string() + ": " +
                                   ec.message());
        });
    if (mounted_scratch_)
        attempt([this] {
            if (umount(options_.scratch_mount.c_str()) != 0)
                throw BackendError("cannot unmount " + options_.scratch_mount.string() + ": " +
                                   errno_text(errno));
        });
    if (!errors.empty()) {
        std::string message = std::string(backend_name(kind_)) + " teardown: " + errors[0];
        for (size_t i = 1; i < errors.size(); ++i)
            message += "; " + errors[i];
        throw BackendError(message);
    }
}

} // namespace vswap
