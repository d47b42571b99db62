#include "host/comparison.h"
#include "run_fixtures.h"

#include <gtest/gtest.h>

using namespace vswap;
using namespace vswap::testing;

namespace {

std::vector<RunRecord> runs(const std::string& kernel, const std::vector<double>& wall,
                            const std::vector<double>& throughput) {
    std::vector<RunRecord> out;
    for (size_t i = 0; i < wall.size(); ++i)
        out.push_back(make_run(kernel, "usemem", "zswap", static_cast<unsigned>(i + 1),
                               {{"wall_s", wall[i]},
                                {"throughput_mbps", throughput[i]},
                                {"pswpout", 0},
                                {"zswpout", 100 + static_cast<double>(i)}}));
    return out;
}

const Comparison& find(const std::vector<Comparison>& cs, const std::string& metric) {
    for (const auto& c : cs) {
        if (c.metric == metric)
            return c;
    }
    throw std::runtime_error("no comparison of " + metric);
}

} // namespace

TEST(Comparison, VerdictRules) {
    auto higher = Direction::HigherIsBetter, lower = Direction::LowerIsBetter,
         neutral = Direction::Neutral;
    EXPECT_EQ(decide_verdict(0.98, 1.03, lower, 0.05, 0.01), "same");
    EXPECT_EQ(decide_verdict(0.90, 1.12, lower, 0.05, 0.01), "inconclusive");
    EXPECT_EQ(decide_verdict(1.10, 1.20, lower, 0.05, 0.01), "worse");
    EXPECT_EQ(decide_verdict(1.10, 1.20, higher, 0.05, 0.01), "better");
    EXPECT_EQ(decide_verdict(0.80, 0.90, lower, 0.05, 0.01), "better");
    EXPECT_EQ(decide_verdict(0.80, 0.90, higher, 0.05, 0.01), "worse");
    EXPECT_EQ(decide_verdict(1.10, 1.20, neutral, 0.05, 0.01), "higher");
    EXPECT_EQ(decide_verdict(0.80, 0.90, neutral, 0.05, 0.01), "lower");
    // Significant but negligible: within +-1%.
    EXPECT_EQ(decide_verdict(1.002, 1.004, lower, 0.05, 0.01), "same");
    EXPECT_EQ(decide_verdict(1.002, 1.02, lower, 0.05, 0.01), "worse");
    // A degenerate interval exactly at 1.
    EXPECT_EQ(decide_verdict(1, 1, lower, 0.05, 0.01), "same");
}

TEST(Comparison, ComparesEveryMetricOfEveryPair) {
    auto base = runs("baseline", {10, 10.2, 9.9, 10.1, 10.0}, {100, 101, 99, 100, 100});
    auto slower = runs("vswap", {12, 12.1, 11.9, 12.2, 12.0}, {80, 81, 79, 80, 80});
    auto cs = compare_kernels(base, "baseline", slower, "vswap", {{"usemem", "zswap"}});
    EXPECT_EQ(cs.size(), compared_metrics("usemem").size());
    const auto& wall = find(cs, "wall_s");
    EXPECT_EQ(wall.base.summary.n, 5u);
    EXPECT_NEAR(wall.base.summary.mean, 10.04, 1e-12);
    EXPECT_NEAR(*wall.ratio, 12.04 / 10.04, 1e-12);
    EXPECT_LT(*wall.ci_low, *wall.ratio);
    EXPECT_GT(*wall.ci_high, *wall.ratio);
    EXPECT_EQ(wall.verdict, "worse");
    EXPECT_EQ(find(cs, "throughput_mbps").verdict, "worse");
    EXPECT_EQ(find(cs, "pswpout").verdict, "same"); // zero on both
    EXPECT_EQ(find(cs, "zswpout").verdict, "same");
    // A metric the runs lack is named, not dropped.
    const auto& missing = find(cs, "write_s");
    EXPECT_EQ(missing.verdict, "no data");
    EXPECT_NE(missing.note.find("lack this metric"), std::string::npos);

    auto faster = runs("vswap", {8, 8.1, 7.9, 8.2, 8.0}, {120, 121, 119, 120, 120});
    auto cf = compare_kernels(base, "baseline", faster, "vswap", {{"usemem", "zswap"}});
    EXPECT_EQ(find(cf, "wall_s").verdict, "better");
    EXPECT_EQ(find(cf, "throughput_mbps").verdict, "better");

    auto same = runs("vswap", {10.1, 9.9, 10.0, 10.2, 10.0}, {100, 100, 101, 99, 100});
    auto cz = compare_kernels(base, "baseline", same, "vswap", {{"usemem", "zswap"}});
    EXPECT_EQ(find(cz, "wall_s").verdict, "same");
    EXPECT_LE(*find(cz, "wall_s").ci_low, 1.0);
    EXPECT_GE(*find(cz, "wall_s").ci_high, 1.0);
}

TEST(Comparison, FailuresAndSmallSamplesAreNamed) {
    auto base = runs("baseline", {10, 10.2, 9.9}, {100, 101, 99});
    std::vector<RunRecord> cand = {
        make_run("vswap", "usemem", "zswap", 1, {{"wall_s", 11}}),
        make_run("vswap", "usemem", "zswap", 2, {}, RunStatus::Failed),
    };
    auto cs = compare_kernels(base, "baseline", cand, "vswap", {{"usemem", "zswap"}});
    const auto& wall = find(cs, "wall_s");
    EXPECT_EQ(wall.verdict, "inconclusive");
    EXPECT_FALSE(wall.ci_low);
    EXPECT_NE(wall.note.find("1 vswap run(s) failed"), std::string::npos) << wall.note;
    EXPECT_NE(wall.note.find("fewer than 2 runs"), std::string::npos) << wall.note;

    std::vector<RunRecord> all_failed = {
        make_run("vswap", "usemem", "zswap", 1, {}, RunStatus::Failed)};
    auto cn = compare_kernels(base, "baseline", all_failed, "vswap", {{"usemem", "zswap"}});
    EXPECT_EQ(find(cn, "wall_s").verdict, "no data");
}

TEST(Comparison, JsonHasTheDocumentedShape) {
    auto base = runs("baseline", {10, 10.2, 9.9}, {100, 101, 99});
    auto cand = runs("vswap", {10, 10.1, 9.9}, {100, 100, 99});
    auto cs = compare_kernels(base, "baseline", cand, "vswap", {{"usemem", "zswap"}});
    nlohmann::json j = find(cs, "wall_s");
    for (const char* k : {"workload", "backend", "metric", "base_kernel", "candidate_kernel",
                          "base", "candidate", "ratio", "ci_low", "ci_high", "verdict"})
        EXPECT_TRUE(j.contains(k)) << k;
    for (const char* k : {"median", "mean", "stdev", "n"})
        EXPECT_TRUE(j["base"].contains(k) && j["candidate"].contains(k)) << k;
    Comparison back = j;
    EXPECT_EQ(nlohmann::json(back), j);
}
