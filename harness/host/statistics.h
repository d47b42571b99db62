// Descriptive statistics and a bootstrap confidence interval for the ratio
// of two samples' means, the figures behind every comparison.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace vswap {

struct Summary {
    size_t n = 0;
    double mean = 0;
    double median = 0;
    double stdev = 0; // sample standard deviation (n - 1); 0 when n < 2
    double min = 0;
    double max = 0;
};

// Throws std::invalid_argument on an empty sample.
Summary summarize(const std::vector<double>& sample);

// The q-quantile (0..1) of a sorted sample, interpolating linearly between
// order statistics (Hyndman and Fan type 7, numpy's and R's default).
double quantile_sorted(const std::vector<double>& sorted, double q);

struct RatioInterval {
    double ratio; // mean(candidate) / mean(base)
    double low;
    double high;
};

struct BootstrapOptions {
    unsigned resamples = 10000;
    double confidence = 0.95;
    uint32_t seed = 1;
};

// Percentile bootstrap of mean(candidate) / mean(base): both samples are
// resampled with replacement, independently, `resamples` times. Indices
// come from std::mt19937(seed) as `rng() % n`, base first, then candidate,
// so the interval can be recomputed exactly outside this program.
// nullopt when the base mean is 0 (no ratio) or a sample is empty;
// resamples whose base mean is 0 are skipped.
std::optional<RatioInterval> bootstrap_ratio(const std::vector<double>& base,
                                             const std::vector<double>& candidate,
                                             const BootstrapOptions& options = {});

struct MeanInterval {
    double mean;
    double low;
    double high;
};

// Percentile bootstrap of the mean of one sample, with the same generator
// and index rule as bootstrap_ratio. nullopt for an empty sample.
std::optional<MeanInterval> bootstrap_mean(const std::vector<double>& sample,
                                           const BootstrapOptions& options = {});

} // namespace vswap
