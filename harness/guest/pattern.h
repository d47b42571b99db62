// Per-page data patterns that identify each page, so that a page swapped
// back in at the wrong place, or with stale or corrupted content, is caught.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vswap {

enum class PageContent {
    Compressible, // unique per page, compresses about 4:1 (the default)
    Random,       // incompressible: zswap rejects it
    SameFilled,   // one non-zero word repeated over the page
    Zero,         // all zero
};

std::optional<PageContent> parse_page_content(std::string_view name);
std::string_view page_content_name(PageContent content);

inline constexpr size_t kWordsPerPage = 4096 / sizeof(uint64_t);

// The value of word `word` of page `page` for a given seed and content.
uint64_t pattern_word(PageContent content, uint64_t seed, uint64_t page, size_t word);

void fill_page(uint64_t* page_words, PageContent content, uint64_t seed, uint64_t page);

struct Mismatch {
    size_t word;
    uint64_t expected;
    uint64_t actual;
};
// The first wrong word of a page, if any.
std::optional<Mismatch> verify_page(const uint64_t* page_words, PageContent content, uint64_t seed,
                                    uint64_t page);

} // namespace vswap
