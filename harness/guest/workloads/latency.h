// Per-page latencies of a workload pass: exact percentiles over every page,
// and a log-bucketed histogram (four buckets per octave) for the report's
// distribution plots.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vswap {

// Upper bounds (ns) of the histogram buckets: 2^(k/4) for k = 24..124,
// i.e. 64 ns to about 2.1 s; the last bucket also holds everything above.
const std::vector<uint64_t>& latency_bucket_bounds();

// Bucket counts of `samples_ns`.
std::vector<uint64_t> latency_histogram(const std::vector<uint32_t>& samples_ns);

// The q-quantile (0..1) in microseconds, nearest-rank on a sorted copy.
// 0 for an empty sample.
double latency_quantile_us(std::vector<uint32_t> samples_ns, double q);

// {"bucket_upper_ns": [...], "series": {name: counts}} for named samples.
nlohmann::json
latency_json(const std::vector<std::pair<std::string, const std::vector<uint32_t>*>>& series);

// Nanoseconds of the monotonic clock, saturated to 32 bits for a sample.
uint64_t monotonic_ns();
inline uint32_t saturate_ns(uint64_t ns) {
    return ns > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ns);
}

} // namespace vswap
