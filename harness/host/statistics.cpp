#include "host/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace vswap {
namespace {

double mean_of(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// Mean of a resample of `sample` drawn with `rng`.
double resampled_mean(const std::vector<double>& sample, std::mt19937& rng) {
    const uint32_t n = static_cast<uint32_t>(sample.size());
    double sum = 0;
    for (uint32_t i = 0; i < n; ++i)
        sum += sample[rng() % n];
    return sum / n;
}

} // namespace

Summary summarize(const std::vector<double>& sample) {
    if (sample.empty())
        throw std::invalid_argument("summarize: empty sample");
    Summary s;
    s.n = sample.size();
    s.mean = mean_of(sample);
    std::vector<double> sorted = sample;
    std::sort(sorted.begin(), sorted.end());
    s.median = quantile_sorted(sorted, 0.5);
    s.min = sorted.front();
    s.max = sorted.back();
    if (s.n > 1) {
        double squares = 0;
        for (double x : sample)
            squares += (x - s.mean) * (x - s.mean);
        s.stdev = std::sqrt(squares / static_cast<double>(s.n - 1));
    }
    return s;
}

double quantile_sorted(const std::vector<double>& sorted, double q) {
    if (sorted.empty())
        throw std::invalid_argument("quantile_sorted: empty sample");
    const double h = (static_cast<double>(sorted.size()) - 1) * std::clamp(q, 0.0, 1.0);
    const size_t lo = static_cast<size_t>(std::floor(h));
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::optional<RatioInterval> bootstrap_ratio(const std::vector<double>& base,
                                             const std::vector<double>& candidate,
                                             const BootstrapOptions& options) {
    if (base.empty() || candidate.empty())
        return std::nullopt;
    const double base_mean = mean_of(base);
    if (base_mean == 0)
        return std::nullopt;
    RatioInterval r;
    r.ratio = mean_of(candidate) / base_mean;

    std::mt19937 rng(options.seed);
    std::vector<double> ratios;
    ratios.reserve(options.resamples);
    for (unsigned i = 0; i < options.resamples; ++i) {
        const double b = resampled_mean(base, rng);
        const double c = resampled_mean(candidate, rng);
        if (b != 0)
            ratios.push_back(c / b);
    }
    if (ratios.empty())
        return std::nullopt;
    std::sort(ratios.begin(), ratios.end());
    const double tail = (1 - options.confidence) / 2;
    r.low = quantile_sorted(ratios, tail);
    r.high = quantile_sorted(ratios, 1 - tail);
    return r;
}

std::optional<MeanInterval> bootstrap_mean(const std::vector<double>& sample,
                                           const BootstrapOptions& options) {
    if (sample.empty())
        return std::nullopt;
    MeanInterval r;
    r.mean = mean_of(sample);
    std::mt19937 rng(options.seed);
    std::vector<double> means(options.resamples);
    for (auto& m : means)
        m = resampled_mean(sample, rng);
    std::sort(means.begin(), means.end());
    const double tail = (1 - options.confidence) / 2;
    r.low = quantile_sorted(means, tail);
    r.high = quantile_sorted(means, 1 - tail);
    return r;
}

} // namespace vswap
