#include "guest/tests/memory.h"

#include "guest/sysfs.h"
#include "guest/tests/framework.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

namespace vswap::tests {

std::string mib(uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", bytes / double(MiB));
    return text;
}
namespace {

constexpr uint64_t kPmPresent = 1ull << 63;
constexpr uint64_t kPmSwap = 1ull << 62;

std::string errno_text() {
    return std::strerror(errno);
}

} // namespace

Mapping Mapping::anonymous(size_t bytes, size_t align) {
    Mapping m;
    size_t total = bytes + (align > kPage ? align : 0);
    void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        fail("mmap of " + std::to_string(bytes / MiB) + " MiB failed: " + errno_text());
    m.unmap_base_ = static_cast<char*>(p);
    m.unmap_bytes_ = total;
    uintptr_t start = reinterpret_cast<uintptr_t>(p);
    if (align > kPage)
        start = (start + align - 1) & ~(uintptr_t(align) - 1);
    m.data_ = reinterpret_cast<char*>(start);
    m.bytes_ = bytes;
    return m;
}

Mapping Mapping::shared_file(int fd, size_t bytes) {
    Mapping m;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        fail("shared mmap of " + std::to_string(bytes / MiB) + " MiB failed: " + errno_text());
    m.data_ = m.unmap_base_ = static_cast<char*>(p);
    m.bytes_ = m.unmap_bytes_ = bytes;
    return m;
}

Mapping::Mapping(Mapping&& other) noexcept {
    *this = std::move(other);
}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
    if (this != &other) {
        this->~Mapping();
        data_ = std::exchange(other.data_, nullptr);
        unmap_base_ = std::exchange(other.unmap_base_, nullptr);
        unmap_bytes_ = std::exchange(other.unmap_bytes_, 0);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

Mapping::~Mapping() {
    if (data_ && unmap_base_)
        munmap(unmap_base_, unmap_bytes_);
    data_ = unmap_base_ = nullptr;
}

void Mapping::adopt(char* data, size_t bytes) {
    this->~Mapping();
    data_ = unmap_base_ = data;
    bytes_ = unmap_bytes_ = bytes;
}

void fill_pages(char* base, size_t count, PageContent content, uint64_t seed, uint64_t index_base) {
    for (size_t i = 0; i < count; ++i)
        fill_page(reinterpret_cast<uint64_t*>(base + i * kPage), content, seed, index_base + i);
}

bool page_is_zero(const char* page) {
    const auto* words = reinterpret_cast<const uint64_t*>(page);
    for (size_t w = 0; w < kWordsPerPage; ++w)
        if (words[w])
            return false;
    return true;
}

VerifyReport verify_pages(const char* base, size_t count, PageContent content, uint64_t seed,
                          uint64_t index_base) {
    VerifyReport report;
    report.pages = count;
    for (size_t i = 0; i < count; ++i) {
        const char* page = base + i * kPage;
        auto bad =
            verify_page(reinterpret_cast<const uint64_t*>(page), content, seed, index_base + i);
        if (!bad)
            continue;
        if (report.bad_pages++ == 0) {
            report.first_bad_page = i;
            report.first = *bad;
        }
        if (page_is_zero(page))
            ++report.zero_pages;
    }
    return report;
}

std::string VerifyReport::describe(PageContent content) const {
    if (intact())
        return std::to_string(pages) + " " + std::string(page_content_name(content)) +
               " pages intact";
    char text[256];
    std::snprintf(text, sizeof text,
                  "%zu of %zu %s pages corrupt (%zu read as zero); first: page %zu word %zu "
                  "expected %016llx got %016llx",
                  bad_pages, pages, std::string(page_content_name(content)).c_str(), zero_pages,
                  first_bad_page, first.word, (unsigned long long)first.expected,
                  (unsigned long long)first.actual);
    return text;
}

void require_intact(const char* base, size_t count, PageContent content, uint64_t seed,
                    const std::string& what, uint64_t index_base) {
    VerifyReport r = verify_pages(base, count, content, seed, index_base);
    if (!r.intact())
        fail(what + ": " + r.describe(content));
}

void fill_mixed(char* base, size_t count, uint64_t seed) {
    for (size_t i = 0; i < count; ++i)
        fill_page(reinterpret_cast<uint64_t*>(base + i * kPage), kMixedContents[i % 4], seed, i);
}

VerifyReport verify_mixed(const char* base, size_t count, uint64_t seed) {
    VerifyReport report;
    report.pages = count;
    for (size_t i = 0; i < count; ++i) {
        const char* page = base + i * kPage;
        auto bad =
            verify_page(reinterpret_cast<const uint64_t*>(page), kMixedContents[i % 4], seed, i);
        if (!bad)
            continue;
        if (report.bad_pages++ == 0) {
            report.first_bad_page = i;
            report.first = *bad;
        }
        if (page_is_zero(page))
            ++report.zero_pages;
    }
    return report;
}

void require_mixed_intact(const char* base, size_t count, uint64_t seed, const std::string& what) {
    VerifyReport r = verify_mixed(base, count, seed);
    if (!r.intact())
        fail(what + ": " + r.describe(kMixedContents[r.first_bad_page % 4]));
}

void advise(void* addr, size_t bytes, int advice, const char* name) {
    if (madvise(addr, bytes, advice) != 0)
        fail(std::string("madvise(") + name + ") failed: " + errno_text());
}

PagemapSummary scan_pagemap(const void* addr, size_t bytes) {
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail("cannot open /proc/self/pagemap: " + errno_text());
    PagemapSummary summary;
    const size_t first = reinterpret_cast<uintptr_t>(addr) / kPage;
    const size_t count = bytes / kPage;
    std::vector<uint64_t> entries(count);
    ssize_t n = pread(fd, entries.data(), count * 8, static_cast<off_t>(first * 8));
    int error = errno;
    close(fd);
    if (n != static_cast<ssize_t>(count * 8))
        fail("cannot read /proc/self/pagemap: " + std::string(std::strerror(error)));
    for (uint64_t e : entries) {
        if (e & kPmPresent)
            ++summary.present;
        else if (e & kPmSwap)
            ++summary.swapped;
        else
            ++summary.none;
    }
    return summary;
}

void require_mostly_swapped(const PagemapSummary& pm, const std::string& what) {
    require(pm.swapped >= pm.pages() * 9 / 10, "only " + std::to_string(pm.swapped) + " of " +
                                                   std::to_string(pm.pages()) + " " + what +
                                                   " were swapped out");
}

void wait_for_writeback(double timeout_s) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    for (;;) {
        auto vm = sysfs::read_vmstat();
        if (vm["nr_writeback"] == 0)
            return;
        if (std::chrono::steady_clock::now() > deadline)
            fail("writeback did not finish within " + std::to_string(int(timeout_s)) +
                 " s (nr_writeback " + std::to_string(vm["nr_writeback"]) + ")");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

PagemapSummary push_out(void* addr, size_t bytes, const std::filesystem::path& cgroup) {
    advise(addr, bytes, MADV_PAGEOUT, "MADV_PAGEOUT");
    wait_for_writeback();
    // EAGAIN only means less than asked was reclaimed.
    int error = sysfs::try_write_text(cgroup / "memory.reclaim", std::to_string(bytes));
    if (error && error != EAGAIN)
        fail("writing memory.reclaim of " + cgroup.string() + ": " + std::strerror(error));
    wait_for_writeback();
    return scan_pagemap(addr, bytes);
}

namespace {
// Pages a vswap kernel stored as a non-zero fill word, which no vmstat
// counter sees (0 on other kernels).
uint64_t vswap_filled(const char* name) {
    auto c = sysfs::read_vswap_counters();
    return c && c->values.count(name) ? c->values.at(name) : 0;
}
} // namespace

uint64_t swapped_out_total() {
    auto vm = sysfs::read_vmstat();
    return vm["pswpout"] + vm["zswpout"] + vm["swpout_zero"] + vswap_filled("filled_out");
}

uint64_t swapped_in_total() {
    auto vm = sysfs::read_vmstat();
    return vm["pswpin"] + vm["zswpin"] + vm["swpin_zero"] + vswap_filled("filled_in");
}

uint64_t vswap_counter(const std::string& name) {
    auto c = sysfs::read_vswap_counters();
    if (!c || !c->values.count(name))
        fail("vswap counter " + name + " is missing");
    return c->values.at(name);
}

} // namespace vswap::tests
