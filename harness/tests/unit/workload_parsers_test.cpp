// Host-side checks of the guest workloads' pure parts.
#include "guest/workloads/bench.h"
#include "guest/workloads/latency.h"
#include "guest/workloads/pageswap.h"
#include "host/workload_catalog.h"

#include <gtest/gtest.h>
#include <set>

using namespace vswap;

TEST(Pageswap, ParsesStressNgYaml) {
    const char* yaml = "---\nsystem-info:\n      stress-ng-version: 0.15.06\n      cpus: 2\n\n"
                       "metrics:\n    - stressor: vm\n      bogo-ops: 5\n"
                       "    - stressor: pageswap\n      bogo-ops: 67827\n"
                       "      bogo-ops-per-second-usr-sys-time: 36437.175191\n"
                       "      bogo-ops-per-second-real-time: 33343.431450\n"
                       "      wall-clock-time: 2.034194\n      user-time: 0.074631\n"
                       "      system-time: 1.786847\n      max-rss: 2380\n\n...\n";
    auto m = parse_stress_ng_metrics(yaml, "pageswap");
    EXPECT_EQ(m.at("bogo-ops"), 67827);
    EXPECT_DOUBLE_EQ(m.at("bogo-ops-per-second-real-time"), 33343.431450);
    EXPECT_DOUBLE_EQ(m.at("wall-clock-time"), 2.034194);
    EXPECT_EQ(m.count("stressor"), 0u);
    EXPECT_TRUE(parse_stress_ng_metrics(yaml, "cpu").empty());
    EXPECT_TRUE(parse_stress_ng_metrics("garbage", "pageswap").empty());
}

TEST(Latency, QuantilesAndHistogram) {
    std::vector<uint32_t> s;
    for (uint32_t i = 1; i <= 100; ++i)
        s.push_back(i * 1000); // 1..100 us
    EXPECT_DOUBLE_EQ(latency_quantile_us(s, 0.5), 50);
    EXPECT_DOUBLE_EQ(latency_quantile_us(s, 0.99), 99);
    EXPECT_DOUBLE_EQ(latency_quantile_us(s, 1.0), 100);
    EXPECT_DOUBLE_EQ(latency_quantile_us({}, 0.5), 0);
    const auto& bounds = latency_bucket_bounds();
    EXPECT_EQ(bounds.front(), 64u);
    EXPECT_EQ(bounds.back(), 2147483648u);
    auto h = latency_histogram({10, 64, 65, 4000000000u});
    uint64_t total = 0;
    for (auto c : h)
        total += c;
    EXPECT_EQ(total, 4u);
    EXPECT_EQ(h[0], 2u); // 10 and 64 ns
    EXPECT_EQ(h[1], 1u); // 65 ns <= 76
    EXPECT_EQ(h.back(), 1u);
}

// The host compares metrics by name; the bench must report every common one.
TEST(Catalog, BenchReportsEveryCommonMetric) {
    std::set<std::string> guest(bench_common_metric_names().begin(),
                                bench_common_metric_names().end());
    for (const auto& m : common_metrics())
        EXPECT_TRUE(guest.count(m.name)) << m.name << " is compared but the bench never reports it";
}
