// Comparing two kernels run by run: for each workload, backend and metric,
// the summaries of both samples, the candidate/base ratio of the means with
// a bootstrap confidence interval, and a verdict.
#pragma once

#include "host/matrix.h"
#include "host/run_record.h"
#include "host/statistics.h"
#include "host/workload_catalog.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vswap {

struct SideStats {
    std::vector<double> values; // in run-file order
    Summary summary;            // n == 0 when there is no value
};

struct Comparison {
    std::string workload, backend, metric, unit;
    Direction direction = Direction::Neutral;
    std::string base_kernel, candidate_kernel;
    SideStats base, candidate;
    std::optional<double> ratio, ci_low, ci_high;
    // better / same / worse for metrics with a direction; higher / lower /
    // same for informational ones; "inconclusive" when the interval holds 1
    // but is wider than the noise threshold, or when a side has fewer than
    // two runs; "no data" when a side has no successful run.
    std::string verdict;
    std::string note; // why there is no ratio, how many runs failed, ...
};

struct CompareOptions {
    double noise = 0.05; // largest CI half-width (as a ratio) still called "same"
    // An interval that excludes 1 but lies within 1 +- min_effect is "same":
    // a real but negligible difference (icount makes many metrics exactly
    // repeatable, so tiny differences are significant).
    double min_effect = 0.01;
    unsigned resamples = 10000;
    double confidence = 0.95;
};

// The verdict for an interval; `ratio` etc. are as in Comparison.
std::string decide_verdict(double low, double high, Direction direction, double noise,
                           double min_effect);

// Compares every metric of every pair in `combos` between two kernels.
// `base_runs` and `candidate_runs` may hold runs of other kernels, pairs
// and failed runs: only successful runs of the named kernel count.
std::vector<Comparison>
compare_kernels(const std::vector<RunRecord>& base_runs, const std::string& base_kernel,
                const std::vector<RunRecord>& candidate_runs, const std::string& candidate_kernel,
                const std::vector<Combo>& combos, const CompareOptions& options = {});

// The (workload, backend) pairs with a successful run of `kernel`, in the
// order they first appear.
std::vector<Combo> combos_with_runs(const std::vector<RunRecord>& runs, const std::string& kernel);

void to_json(nlohmann::json& j, const Comparison& c);
void from_json(const nlohmann::json& j, Comparison& c);

} // namespace vswap
