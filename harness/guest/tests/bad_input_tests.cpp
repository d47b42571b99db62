// Bad input at the kernel's interfaces: junk written to any vswap sysfs or
// debugfs file is refused with EINVAL, and swapon of a file with holes, of
// a too-small file or of an active area fails cleanly (as on baseline).
#include "guest/backend.h"
#include "guest/sysfs.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vswap::tests {
namespace fs = std::filesystem;
namespace {

const fs::path kScratchDevice = "/dev/vdb";
const fs::path kMount = "/mnt/badinput";

std::string errno_name(int error) {
    switch (error) {
    case 0:
        return "success";
    case EINVAL:
        return "EINVAL";
    case EBUSY:
        return "EBUSY";
    case EPERM:
        return "EPERM";
    case EACCES:
        return "EACCES";
    case ENOENT:
        return "ENOENT";
    case EIO:
        return "EIO";
    case ENOMEM:
        return "ENOMEM";
    default:
        return std::strerror(error);
    }
}

// Junk as it can be shown in a report: printable, no newline.
std::string trim_for_json(const char* text) {
    std::string out;
    for (const char* p = text; *p; ++p) {
        unsigned char c = static_cast<unsigned char>(*p);
        if (c == '\n')
            continue;
        if (c < 0x20 || c >= 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// The ext4 scratch disk, mounted for the duration of a test.
struct ScratchMount {
    ScratchMount() {
        struct stat st {};
        if (stat(kScratchDevice.c_str(), &st) != 0 || !S_ISBLK(st.st_mode))
            skip("not run: no ext4 scratch disk at " + kScratchDevice.string() +
                 " (boot with --scratch-disk)");
        fs::create_directories(kMount);
        if (mount(kScratchDevice.c_str(), kMount.c_str(), "ext4", 0, nullptr) != 0)
            fail("cannot mount " + kScratchDevice.string() + ": " + std::strerror(errno));
    }
    ~ScratchMount() { umount(kMount.c_str()); }
};

size_t times_in_proc_swaps(const fs::path& path) {
    size_t n = 0;
    for (const auto& s : active_swaps())
        if (s.path == path.string())
            ++n;
    return n;
}

// swapon must fail with `expected`, and must not leave the file active.
void require_swapon_refused(TestContext& ctx, const fs::path& path, int expected,
                            const std::string& what) {
    const size_t listed = times_in_proc_swaps(path);
    int error = try_swap_on(path);
    ctx.note(what, errno_name(error));
    if (error == 0) {
        try_swap_off(path);
        fail("swapon of " + what + " succeeded");
    }
    require(times_in_proc_swaps(path) == listed,
            "swapon of " + what + " failed but changed its entries in /proc/swaps");
    require(error == expected, "swapon of " + what + " failed with " + errno_name(error) +
                                   ", expected " + errno_name(expected) + " as on baseline");
}

void write_at(const fs::path& path, off_t offset, const std::string& data) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || pwrite(fd, data.data(), data.size(), offset) != ssize_t(data.size()))
        fail("cannot write " + path.string() + ": " + std::strerror(errno));
    fsync(fd);
    close(fd);
}

void swapon_holes(TestContext& ctx) {
    ScratchMount mount;
    // Entirely sparse past the header.
    const fs::path sparse = kMount / "sparse";
    { std::ofstream create(sparse); }
    fs::resize_file(sparse, 8 * MiB);
    write_swap_header(sparse, 8 * MiB / kPage);
    chmod(sparse.c_str(), 0600);
    require_swapon_refused(ctx, sparse, EINVAL, "a sparse swap file");
    // Written at both ends, a hole in the middle.
    const fs::path holed = kMount / "holed";
    create_zero_file(holed, 2 * MiB);
    fs::resize_file(holed, 8 * MiB);
    write_at(holed, 8 * MiB - kPage, std::string(kPage, '\0'));
    write_swap_header(holed, 8 * MiB / kPage);
    chmod(holed.c_str(), 0600);
    require_swapon_refused(ctx, holed, EINVAL, "a swap file with a hole in the middle");
}

void swapon_too_small(TestContext& ctx) {
    ScratchMount mount;
    // The header claims 8 MiB, the file has 64 KiB.
    const fs::path shorter = kMount / "shorter";
    create_zero_file(shorter, 64 * 1024);
    write_swap_header(shorter, 8 * MiB / kPage);
    chmod(shorter.c_str(), 0600);
    require_swapon_refused(ctx, shorter, EINVAL, "a file shorter than its header says");
    // A header with no usable page (last_page 0).
    const fs::path empty = kMount / "empty";
    create_zero_file(empty, 16 * kPage);
    write_swap_header(empty, 16);
    const uint32_t zero = 0;
    write_at(empty, 1028, std::string(reinterpret_cast<const char*>(&zero), 4));
    chmod(empty.c_str(), 0600);
    require_swapon_refused(ctx, empty, EINVAL, "a swap header with no pages");
    // Smaller than one page: no room for a header at all.
    const fs::path tiny = kMount / "tiny";
    create_zero_file(tiny, 100);
    chmod(tiny.c_str(), 0600);
    require_swapon_refused(ctx, tiny, EINVAL, "a 100-byte file");
}

void swapon_active(TestContext& ctx) {
    const fs::path disk = *ctx.require_backend().swap_area();
    require_swapon_refused(ctx, disk, EBUSY, "the active swap disk");
    BackendOptions o;
    o.size_bytes = 8 * MiB;
    o.scratch_mount = kMount;
    Backend file(BackendKind::Swapfile, o);
    require_swapon_refused(ctx, *file.swap_area(), EBUSY, "an active swap file");
    file.teardown();
    // swapoff of something that is not swap, and of a missing path.
    const fs::path plain = "/tmp/not-swap";
    create_zero_file(plain, 16 * kPage);
    int error = try_swap_off(plain);
    fs::remove(plain);
    ctx.note("swapoff of a non-swap file", errno_name(error));
    require(error == EINVAL,
            "swapoff of a non-swap file gave " + errno_name(error) + ", expected EINVAL");
    error = try_swap_off("/nonexistent/swap");
    ctx.note("swapoff of a missing path", errno_name(error));
    require(error == ENOENT,
            "swapoff of a missing path gave " + errno_name(error) + ", expected ENOENT");
}

// Every regular file under the vswap sysfs and debugfs directories.
std::vector<fs::path> vswap_files() {
    std::vector<fs::path> files;
    for (const fs::path& dir :
         {fs::path(sysfs::kVswapDebugDir), fs::path("/sys/kernel/mm/vswap")}) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
            continue;
        for (const auto& entry : fs::recursive_directory_iterator(dir, ec))
            if (entry.is_regular_file(ec))
                files.push_back(entry.path());
    }
    return files;
}

void junk_writes(TestContext& ctx) {
    if (!fs::is_directory(sysfs::kVswapDebugDir))
        not_supported(std::string("no ") + sysfs::kVswapDebugDir + " on this kernel");
    auto files = vswap_files();
    if (files.empty())
        skip("not run: this kernel provides no vswap sysfs or debugfs files yet");
    const char* junk[] = {"junk\n", "-1\n",  "18446744073709551616\n",
                          "0x\n",   "1 2\n", "\x01\xff\n"};
    nlohmann::json seen = nlohmann::json::object();
    for (const auto& file : files) {
        struct stat st {};
        stat(file.c_str(), &st);
        const auto before = sysfs::read_text_if_exists(file);
        nlohmann::json per_file = nlohmann::json::object();
        for (const char* j : junk) {
            int error = sysfs::try_write_text(file, j);
            per_file[trim_for_json(j)] = errno_name(error);
            require(error == EINVAL, "writing '" + trim_for_json(j) + "' to " + file.string() +
                                         " gave " + errno_name(error) + ", expected EINVAL");
        }
        const auto after = sysfs::read_text_if_exists(file);
        require(after.has_value(), file.string() + " became unreadable after junk writes");
        // A tunable (writable) keeps its value; counters may move on their own.
        if (st.st_mode & 0222)
            require(before == after, file.string() + " changed after junk writes: '" +
                                         before.value_or("") + "' -> '" + after.value_or("") + "'");
        seen[file.string()] = per_file;
    }
    ctx.note("files", seen);
}

TestCase make(const std::string& name, const std::string& summary, void (*body)(TestContext&),
              std::optional<BackendKind> backend = std::nullopt) {
    TestCase t;
    t.name = name;
    t.summary = summary;
    t.backend = backend;
    t.body = body;
    return t;
}

} // namespace

void add_bad_input_tests(std::vector<TestCase>& tests) {
    tests.push_back(make("badinput.vswap_files",
                         "junk written to any vswap sysfs/debugfs file is refused with EINVAL",
                         junk_writes));
    tests.push_back(make("badinput.swapon_holes", "swapon of a swap file with holes fails (EINVAL)",
                         swapon_holes));
    tests.push_back(make("badinput.swapon_too_small",
                         "swapon of too-small or empty swap areas fails (EINVAL)",
                         swapon_too_small));
    tests.push_back(make("badinput.swapon_active",
                         "swapon of an active area fails (EBUSY); bad swapoff fails cleanly",
                         swapon_active, BackendKind::Disk));
}

} // namespace vswap::tests
