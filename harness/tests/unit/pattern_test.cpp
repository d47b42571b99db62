#include "guest/pattern.h"

#include <gtest/gtest.h>
#include <set>
#include <vector>

using namespace vswap;

TEST(Pattern, PagesAreDistinctAndVerify) {
    for (auto content : {PageContent::Compressible, PageContent::Random, PageContent::SameFilled}) {
        std::vector<uint64_t> a(kWordsPerPage), b(kWordsPerPage);
        fill_page(a.data(), content, 7, 10);
        fill_page(b.data(), content, 7, 11);
        EXPECT_NE(a, b) << page_content_name(content);
        EXPECT_FALSE(verify_page(a.data(), content, 7, 10).has_value());
        // A page that landed at the wrong index is caught.
        EXPECT_TRUE(verify_page(b.data(), content, 7, 10).has_value());
    }
}

TEST(Pattern, SingleBitFlipIsCaughtAtItsWord) {
    std::vector<uint64_t> page(kWordsPerPage);
    fill_page(page.data(), PageContent::Compressible, 1, 3);
    page[100] ^= 1ull << 40;
    auto bad = verify_page(page.data(), PageContent::Compressible, 1, 3);
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->word, 100u);
    EXPECT_EQ(bad->actual ^ bad->expected, 1ull << 40);
}

TEST(Pattern, ContentKinds) {
    std::vector<uint64_t> page(kWordsPerPage);
    fill_page(page.data(), PageContent::Zero, 1, 5);
    for (auto w : page)
        EXPECT_EQ(w, 0u);
    fill_page(page.data(), PageContent::SameFilled, 1, 5);
    EXPECT_EQ(std::set<uint64_t>(page.begin(), page.end()).size(), 1u);
    EXPECT_NE(page[0], 0u);
    fill_page(page.data(), PageContent::Random, 1, 5);
    EXPECT_GT(std::set<uint64_t>(page.begin(), page.end()).size(), kWordsPerPage - 2);
    EXPECT_EQ(parse_page_content("samefill"), PageContent::SameFilled);
    EXPECT_FALSE(parse_page_content("bogus").has_value());
}
