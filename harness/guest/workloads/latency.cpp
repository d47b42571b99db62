#include "guest/workloads/latency.h"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace vswap {

const std::vector<uint64_t>& latency_bucket_bounds() {
    static const std::vector<uint64_t> bounds = [] {
        std::vector<uint64_t> b;
        for (int k = 24; k <= 124; ++k)
            b.push_back(static_cast<uint64_t>(std::llround(std::pow(2.0, k / 4.0))));
        return b;
    }();
    return bounds;
}

std::vector<uint64_t> latency_histogram(const std::vector<uint32_t>& samples_ns) {
    const auto& bounds = latency_bucket_bounds();
    std::vector<uint64_t> counts(bounds.size(), 0);
    for (uint32_t s : samples_ns) {
        auto it = std::lower_bound(bounds.begin(), bounds.end(), static_cast<uint64_t>(s));
        size_t i =
            it == bounds.end() ? bounds.size() - 1 : static_cast<size_t>(it - bounds.begin());
        ++counts[i];
    }
    return counts;
}

double latency_quantile_us(std::vector<uint32_t> samples_ns, double q) {
    if (samples_ns.empty())
        return 0;
    size_t rank = static_cast<size_t>(std::ceil(std::clamp(q, 0.0, 1.0) * samples_ns.size()));
    size_t index = rank == 0 ? 0 : rank - 1;
    std::nth_element(samples_ns.begin(), samples_ns.begin() + static_cast<long>(index),
                     samples_ns.end());
    return samples_ns[index] / 1000.0;
}

nlohmann::json
latency_json(const std::vector<std::pair<std::string, const std::vector<uint32_t>*>>& series) {
    nlohmann::json j = {{"bucket_upper_ns", latency_bucket_bounds()},
                        {"series", nlohmann::json::object()}};
    for (const auto& [name, samples] : series)
        j["series"][name] = latency_histogram(*samples);
    return j;
}

uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

} // namespace vswap
