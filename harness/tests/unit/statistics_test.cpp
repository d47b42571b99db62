// Expected values come from statistics_reference.py (Python's statistics
// module and an independent MT19937), not from this code.
#include "host/statistics.h"

#include <gtest/gtest.h>
#include <random>

using namespace vswap;

namespace {
const std::vector<double> kBase = {10.2, 9.8, 10.5, 10.1, 9.9};
const std::vector<double> kCandidate = {11.0, 11.4, 10.9, 11.2, 11.6};
const std::vector<double> kSame = {10.0, 10.3, 9.7, 10.2, 9.9};
} // namespace

TEST(Statistics, SummaryMatchesPythonStatistics) {
    Summary b = summarize(kBase);
    EXPECT_EQ(b.n, 5u);
    EXPECT_NEAR(b.mean, 10.1, 1e-12);
    EXPECT_NEAR(b.median, 10.1, 1e-12);
    EXPECT_NEAR(b.stdev, 0.27386127875258276, 1e-12);
    EXPECT_EQ(b.min, 9.8);
    EXPECT_EQ(b.max, 10.5);
    Summary c = summarize(kCandidate);
    EXPECT_NEAR(c.mean, 11.22, 1e-12);
    EXPECT_NEAR(c.median, 11.2, 1e-12);
    EXPECT_NEAR(c.stdev, 0.28635642126552691, 1e-12);
}

TEST(Statistics, EvenSizedMedianAndSingleton) {
    EXPECT_DOUBLE_EQ(summarize({4, 1, 3, 2}).median, 2.5);
    Summary one = summarize({7});
    EXPECT_EQ(one.n, 1u);
    EXPECT_EQ(one.stdev, 0);
    EXPECT_EQ(one.median, 7);
    EXPECT_THROW(summarize({}), std::invalid_argument);
}

TEST(Statistics, QuantileType7) {
    EXPECT_NEAR(quantile_sorted({1, 2, 3, 4}, 0.1), 1.3, 1e-12);
    EXPECT_EQ(quantile_sorted({1, 2, 3, 4}, 0), 1);
    EXPECT_EQ(quantile_sorted({1, 2, 3, 4}, 1), 4);
    EXPECT_EQ(quantile_sorted({5}, 0.975), 5);
}

TEST(Statistics, GeneratorIsTheReferenceMt19937) {
    std::mt19937 rng; // seed 5489
    EXPECT_EQ(rng(), 3499211612u);
}

TEST(Statistics, BootstrapMatchesIndependentImplementation) {
    auto r = bootstrap_ratio(kBase, kCandidate, {2000, 0.95, 7});
    ASSERT_TRUE(r);
    EXPECT_NEAR(r->ratio, 1.110891089108911, 1e-12);
    EXPECT_NEAR(r->low, 1.0782778864970646, 1e-12);
    EXPECT_NEAR(r->high, 1.1431521896285823, 1e-12);

    auto same = bootstrap_ratio(kBase, kSame, {2000, 0.95, 7});
    ASSERT_TRUE(same);
    EXPECT_NEAR(same->ratio, 0.99207920792079207, 1e-12);
    EXPECT_NEAR(same->low, 0.96454279421968814, 1e-12);
    EXPECT_NEAR(same->high, 1.0201612903225805, 1e-12);

    auto defaults = bootstrap_ratio(kBase, kCandidate, {10000, 0.95, 1});
    ASSERT_TRUE(defaults);
    EXPECT_NEAR(defaults->low, 1.0784313725490198, 1e-12);
    EXPECT_NEAR(defaults->high, 1.1434343434343432, 1e-12);
}

TEST(Statistics, BootstrapEdgeCases) {
    EXPECT_FALSE(bootstrap_ratio({}, {1.0}));
    EXPECT_FALSE(bootstrap_ratio({0.0, 0.0}, {1.0, 2.0}));
    // Identical constant samples: a degenerate interval at exactly 1.
    auto flat = bootstrap_ratio({3, 3, 3}, {3, 3, 3});
    ASSERT_TRUE(flat);
    EXPECT_EQ(flat->ratio, 1);
    EXPECT_EQ(flat->low, 1);
    EXPECT_EQ(flat->high, 1);
}

// The interval must do its job: over many simulated experiments with a
// known true ratio (1.05), about 95% of the intervals contain it. The
// percentile bootstrap under-covers a little at n = 20, hence the band.
TEST(Statistics, BootstrapCoverageIsNearNominal) {
    std::mt19937_64 rng(12345);
    std::normal_distribution<double> base_dist(100, 5), cand_dist(105, 5);
    const int trials = 400;
    int covered = 0;
    for (int t = 0; t < trials; ++t) {
        std::vector<double> b(20), c(20);
        for (auto& x : b)
            x = base_dist(rng);
        for (auto& x : c)
            x = cand_dist(rng);
        auto r = bootstrap_ratio(b, c, {2000, 0.95, static_cast<uint32_t>(t + 1)});
        ASSERT_TRUE(r);
        covered += r->low <= 1.05 && 1.05 <= r->high;
    }
    const double coverage = static_cast<double>(covered) / trials;
    EXPECT_GT(coverage, 0.90);
    EXPECT_LT(coverage, 0.98);
}

TEST(Statistics, BootstrapMeanMatchesIndependentImplementation) {
    auto m = bootstrap_mean(kCandidate, {2000, 0.95, 3});
    ASSERT_TRUE(m);
    EXPECT_NEAR(m->mean, 11.22, 1e-12);
    EXPECT_NEAR(m->low, 11.0, 1e-12);
    EXPECT_NEAR(m->high, 11.44, 1e-12);
    EXPECT_FALSE(bootstrap_mean({}));
}
