// shmem and tmpfs: shared memory pages swap out and read back intact,
// through a memfd mapping and through a tmpfs file read with read(2).
#include "guest/sysfs.h"
#include "guest/tests/fd.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vswap::tests {
namespace {

constexpr size_t kBytes = 16 * MiB;

uint64_t shmem_bytes(const std::filesystem::path& cgroup) {
    return sysfs::read_key_values(cgroup / "memory.stat")["shmem"];
}

// Reads the file back with pread() and verifies the mixed pattern.
void require_file_intact(int fd, size_t pages, uint64_t seed, const std::string& what) {
    std::vector<char> page(kPage);
    for (size_t i = 0; i < pages; ++i) {
        ssize_t n = pread(fd, page.data(), kPage, static_cast<off_t>(i * kPage));
        if (n != static_cast<ssize_t>(kPage))
            fail(what + ": short read at page " + std::to_string(i));
        if (auto bad = verify_page(reinterpret_cast<const uint64_t*>(page.data()),
                                   kMixedContents[i % 4], seed, i))
            fail(what + ": page " + std::to_string(i) + " word " + std::to_string(bad->word) +
                 " differs");
    }
}

void shmem_memfd(TestContext& ctx) {
    Fd fd(memfd_create("vswap-test", MFD_CLOEXEC));
    if (fd.fd < 0)
        fail(std::string("memfd_create: ") + std::strerror(errno));
    if (ftruncate(fd.fd, kBytes) != 0)
        fail(std::string("ftruncate: ") + std::strerror(errno));
    Mapping m = Mapping::shared_file(fd.fd, kBytes);
    const size_t pages = m.pages();
    fill_mixed(m.data(), pages, 21);
    const uint64_t shmem0 = shmem_bytes(ctx.main_cgroup());
    const uint64_t out0 = swapped_out_total();
    push_out(m.data(), m.bytes(), ctx.main_cgroup());
    const uint64_t out = swapped_out_total() - out0;
    const uint64_t shmem1 = shmem_bytes(ctx.main_cgroup());
    ctx.note("swapped_out", out);
    ctx.note("shmem_bytes", {{"before", shmem0}, {"after", shmem1}});
    require(out >= pages * 9 / 10, "only " + std::to_string(out) + " of " + std::to_string(pages) +
                                       " shmem pages were swapped out");
    require_mixed_intact(m.data(), pages, 21, "memfd mapping after swap-in");
    // Out again, then read through the file instead of the mapping.
    push_out(m.data(), m.bytes(), ctx.main_cgroup());
    m = Mapping();
    require_file_intact(fd.fd, pages, 21, "memfd read() after swap-in");
}

void shmem_tmpfs(TestContext& ctx) {
    const std::filesystem::path dir = "/tmp/vswap-tmpfs";
    std::filesystem::create_directories(dir);
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64m") != 0)
        fail(std::string("cannot mount tmpfs: ") + std::strerror(errno));
    struct Unmount {
        std::filesystem::path dir;
        ~Unmount() { umount(dir.c_str()); }
    } unmount{dir};
    const auto path = dir / "data";
    {
        Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (fd.fd < 0)
            fail(std::string("cannot create a tmpfs file: ") + std::strerror(errno));
        std::vector<char> page(kPage);
        const size_t pages = kBytes / kPage;
        for (size_t i = 0; i < pages; ++i) {
            fill_page(reinterpret_cast<uint64_t*>(page.data()), kMixedContents[i % 4], 22, i);
            if (write(fd.fd, page.data(), kPage) != static_cast<ssize_t>(kPage))
                fail(std::string("write to tmpfs: ") + std::strerror(errno));
        }
        // The file's pages are charged to this cgroup: reclaim them to swap.
        const uint64_t out0 = swapped_out_total();
        for (int i = 0; i < 3; ++i)
            sysfs::try_write_text(ctx.main_cgroup() / "memory.reclaim", std::to_string(kBytes));
        wait_for_writeback();
        const uint64_t out = swapped_out_total() - out0;
        ctx.note("swapped_out", out);
        require(out >= pages * 3 / 4, "memory.reclaim swapped out only " + std::to_string(out) +
                                          " of " + std::to_string(pages) + " tmpfs pages");
        require_file_intact(fd.fd, pages, 22, "tmpfs file after swap-in");
    }
    if (unlink(path.c_str()) != 0)
        fail(std::string("cannot remove the tmpfs file: ") + std::strerror(errno));
}

} // namespace

void add_shmem_tests(std::vector<TestCase>& tests) {
    TestCase memfd;
    memfd.name = "shmem.memfd";
    memfd.summary = "memfd (shmem) pages swap out and read back through mmap and read()";
    memfd.backend = BackendKind::Disk;
    memfd.body = shmem_memfd;
    tests.push_back(memfd);
    TestCase tmpfs;
    tmpfs.name = "shmem.tmpfs";
    tmpfs.summary = "a tmpfs file's pages swap out under memory.reclaim and read back";
    tmpfs.backend = BackendKind::Disk;
    tmpfs.body = shmem_tmpfs;
    tests.push_back(tmpfs);
}

} // namespace vswap::tests
