#include "guest/pattern.h"

namespace vswap {
namespace {

uint64_t mix(uint64_t x) { // splitmix64 finalizer
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

} // namespace

std::optional<PageContent> parse_page_content(std::string_view name) {
    if (name == "compressible")
        return PageContent::Compressible;
    if (name == "random")
        return PageContent::Random;
    if (name == "same-filled" || name == "samefill")
        return PageContent::SameFilled;
    if (name == "zero")
        return PageContent::Zero;
    return std::nullopt;
}

std::string_view page_content_name(PageContent content) {
    switch (content) {
    case PageContent::Compressible:
        return "compressible";
    case PageContent::Random:
        return "random";
    case PageContent::SameFilled:
        return "same-filled";
    case PageContent::Zero:
        return "zero";
    }
    return "unknown";
}

uint64_t pattern_word(PageContent content, uint64_t seed, uint64_t page, size_t word) {
    const uint64_t page_id = mix(seed ^ (page * 0x100000001b3ULL));
    switch (content) {
    case PageContent::Random:
        return mix(page_id + word);
    case PageContent::Compressible:
        // One unique word per 64-byte line; the rest repeat a small counter.
        return word % 8 == 0 ? page_id ^ word : (page & 0xffff) << 16 | (word & 0xff);
    case PageContent::SameFilled:
        return page_id | 1; // never zero
    case PageContent::Zero:
        return 0;
    }
    return 0;
}

void fill_page(uint64_t* page_words, PageContent content, uint64_t seed, uint64_t page) {
    for (size_t w = 0; w < kWordsPerPage; ++w)
        page_words[w] = pattern_word(content, seed, page, w);
}

std::optional<Mismatch> verify_page(const uint64_t* page_words, PageContent content, uint64_t seed,
                                    uint64_t page) {
    for (size_t w = 0; w < kWordsPerPage; ++w) {
        uint64_t expected = pattern_word(content, seed, page, w);
        if (page_words[w] != expected)
            return Mismatch{w, expected, page_words[w]};
    }
    return std::nullopt;
}

} // namespace vswap
