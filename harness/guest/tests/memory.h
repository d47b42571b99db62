// Memory helpers for the functional tests: mappings, per-page patterns,
// pushing pages out to swap and reading /proc/self/pagemap.
#pragma once

#include "guest/pattern.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace vswap::tests {

inline constexpr size_t kPage = 4096;
inline constexpr size_t MiB = 1024 * 1024;

// "12.5 MiB", for test messages.
std::string mib(uint64_t bytes);

// An mmap that is unmapped when it goes out of scope. Failures fail the test.
class Mapping {
public:
    // Private anonymous memory; `align` (a power of two) places it for THP.
    static Mapping anonymous(size_t bytes, size_t align = 0);
    // A shared mapping of `fd` (memfd, tmpfs file).
    static Mapping shared_file(int fd, size_t bytes);

    Mapping() = default;
    Mapping(Mapping&& other) noexcept;
    Mapping& operator=(Mapping&& other) noexcept;
    ~Mapping();

    char* data() const { return data_; }
    size_t bytes() const { return bytes_; }
    size_t pages() const { return bytes_ / kPage; }
    char* page(size_t index) const { return data_ + index * kPage; }
    // Forget the mapping without unmapping it (after munmap or mremap).
    void release() { data_ = nullptr, bytes_ = 0; }
    // Adopt a mapping made elsewhere (mremap).
    void adopt(char* data, size_t bytes);

private:
    char* data_ = nullptr;
    char* unmap_base_ = nullptr; // with alignment slack
    size_t unmap_bytes_ = 0;
    size_t bytes_ = 0;
};

// Writes the per-page pattern of pages [first, first + count), numbered
// from `index_base` (so a moved range still verifies by its old index).
void fill_pages(char* base, size_t count, PageContent content, uint64_t seed,
                uint64_t index_base = 0);

struct VerifyReport {
    size_t pages = 0;
    size_t bad_pages = 0;
    size_t zero_pages = 0; // bad pages that read as all zero
    size_t first_bad_page = 0;
    Mismatch first{};
    bool intact() const { return bad_pages == 0; }
    std::string describe(PageContent content) const;
};
VerifyReport verify_pages(const char* base, size_t count, PageContent content, uint64_t seed,
                          uint64_t index_base = 0);
// Fails the test, naming `what`, when a page does not match.
void require_intact(const char* base, size_t count, PageContent content, uint64_t seed,
                    const std::string& what, uint64_t index_base = 0);
bool page_is_zero(const char* page);

// Mixed content: page i gets kMixedContents[i % 4], so one range holds
// random, zero, same-filled and compressible pages side by side.
inline constexpr PageContent kMixedContents[] = {
    PageContent::Random, PageContent::Zero, PageContent::SameFilled, PageContent::Compressible};
void fill_mixed(char* base, size_t count, uint64_t seed);
VerifyReport verify_mixed(const char* base, size_t count, uint64_t seed);
void require_mixed_intact(const char* base, size_t count, uint64_t seed, const std::string& what);

// madvise(); fails the test naming the advice and errno.
void advise(void* addr, size_t bytes, int advice, const char* name);

// What /proc/self/pagemap says about a range.
struct PagemapSummary {
    size_t present = 0;
    size_t swapped = 0; // PM_SWAP
    size_t none = 0;
    size_t pages() const { return present + swapped + none; }
};
PagemapSummary scan_pagemap(const void* addr, size_t bytes);

// Fails unless at least 90% of the scanned range is swapped out; `what`
// names its pages in the message.
void require_mostly_swapped(const PagemapSummary& pm, const std::string& what = "pages");

// Waits until /proc/vmstat nr_writeback is 0 (at most timeout_s).
void wait_for_writeback(double timeout_s = 10);

// Pages a range out: MADV_PAGEOUT, wait for writeback, then ask `cgroup`
// to reclaim (memory.reclaim) so the clean swap-cache copies are dropped
// and reading back really goes to the backend. Returns the pagemap after.
PagemapSummary push_out(void* addr, size_t bytes, const std::filesystem::path& cgroup);

// Sum of the counters that count a page leaving memory for swap (pswpout,
// zswpout, swpout_zero, and vswap's filled_out) or coming back (pswpin,
// zswpin, swpin_zero, filled_in).
uint64_t swapped_out_total();
uint64_t swapped_in_total();

// A counter of /sys/kernel/debug/vswap; fails the test if it is missing.
uint64_t vswap_counter(const std::string& name);

} // namespace vswap::tests
