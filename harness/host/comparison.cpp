#include "host/comparison.h"

#include "common/text.h"
#include "host/number_format.h"

#include <cmath>

namespace vswap {
namespace {

SideStats side(const std::vector<RunRecord>& runs, const std::string& kernel, const Combo& combo,
               const std::string& metric, unsigned& failed, unsigned& missing_metric) {
    SideStats s;
    for (const auto& r : runs) {
        if (r.cell.kernel != kernel || r.cell.workload != combo.workload ||
            r.cell.backend != combo.backend)
            continue;
        if (r.status != RunStatus::Ok) {
            failed += r.status == RunStatus::Failed;
            continue;
        }
        auto it = r.metrics.find(metric);
        if (it == r.metrics.end() || !std::isfinite(it->second)) {
            ++missing_metric;
            continue;
        }
        s.values.push_back(it->second);
    }
    if (!s.values.empty())
        s.summary = summarize(s.values);
    return s;
}

// A seed per comparison, so each interval is reproducible on its own.
uint32_t comparison_seed(const std::string& key) {
    return static_cast<uint32_t>(std::stoull(content_hash(key).substr(8), nullptr, 16));
}

std::string directional(bool higher, Direction d) {
    switch (d) {
    case Direction::HigherIsBetter:
        return higher ? "better" : "worse";
    case Direction::LowerIsBetter:
        return higher ? "worse" : "better";
    case Direction::Neutral:
        break;
    }
    return higher ? "higher" : "lower";
}

std::string direction_key(Direction d) {
    switch (d) {
    case Direction::HigherIsBetter:
        return "higher";
    case Direction::LowerIsBetter:
        return "lower";
    case Direction::Neutral:
        break;
    }
    return "neutral";
}

Direction parse_direction_key(const std::string& s) {
    if (s == "higher")
        return Direction::HigherIsBetter;
    if (s == "lower")
        return Direction::LowerIsBetter;
    return Direction::Neutral;
}

nlohmann::json side_json(const SideStats& s) {
    return {{"n", s.summary.n},         {"median", s.summary.median}, {"mean", s.summary.mean},
            {"stdev", s.summary.stdev}, {"min", s.summary.min},       {"max", s.summary.max},
            {"values", s.values}};
}

SideStats side_from_json(const nlohmann::json& j) {
    SideStats s;
    j.at("values").get_to(s.values);
    j.at("n").get_to(s.summary.n);
    j.at("median").get_to(s.summary.median);
    j.at("mean").get_to(s.summary.mean);
    j.at("stdev").get_to(s.summary.stdev);
    j.at("min").get_to(s.summary.min);
    j.at("max").get_to(s.summary.max);
    return s;
}

nlohmann::json optional_number(const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
}

std::optional<double> number_or_null(const nlohmann::json& j) {
    return j.is_null() ? std::nullopt : std::optional<double>(j.get<double>());
}

} // namespace

std::string decide_verdict(double low, double high, Direction direction, double noise,
                           double min_effect) {
    if (low <= 1 && 1 <= high)
        return (high - low) / 2 < noise ? "same" : "inconclusive";
    if (low >= 1 - min_effect && high <= 1 + min_effect)
        return "same";
    return directional(low > 1, direction);
}

std::vector<Combo> combos_with_runs(const std::vector<RunRecord>& runs, const std::string& kernel) {
    std::vector<Combo> combos;
    for (const auto& r : runs) {
        if (r.cell.kernel != kernel || r.status != RunStatus::Ok)
            continue;
        Combo c{r.cell.workload, r.cell.backend};
        bool known = false;
        for (const auto& k : combos)
            known |= k == c;
        if (!known)
            combos.push_back(c);
    }
    return combos;
}

std::vector<Comparison>
compare_kernels(const std::vector<RunRecord>& base_runs, const std::string& base_kernel,
                const std::vector<RunRecord>& candidate_runs, const std::string& candidate_kernel,
                const std::vector<Combo>& combos, const CompareOptions& options) {
    std::vector<Comparison> out;
    for (const auto& combo : combos) {
        for (const auto& metric : compared_metrics(combo.workload)) {
            Comparison c;
            c.workload = combo.workload;
            c.backend = combo.backend;
            c.metric = metric.name;
            c.unit = metric.unit;
            c.direction = metric.direction;
            c.base_kernel = base_kernel;
            c.candidate_kernel = candidate_kernel;
            unsigned base_failed = 0, cand_failed = 0, base_missing = 0, cand_missing = 0;
            c.base = side(base_runs, base_kernel, combo, metric.name, base_failed, base_missing);
            c.candidate = side(candidate_runs, candidate_kernel, combo, metric.name, cand_failed,
                               cand_missing);
            std::vector<std::string> notes;
            if (base_failed)
                notes.push_back(std::to_string(base_failed) + " " + base_kernel + " run(s) failed");
            if (cand_failed)
                notes.push_back(std::to_string(cand_failed) + " " + candidate_kernel +
                                " run(s) failed");
            if (base_missing + cand_missing)
                notes.push_back(std::to_string(base_missing + cand_missing) +
                                " run(s) lack this metric");

            if (c.base.values.empty() || c.candidate.values.empty()) {
                c.verdict = "no data";
                if (notes.empty())
                    notes.push_back("no successful run of " +
                                    (c.base.values.empty() ? base_kernel : candidate_kernel));
            } else if (c.base.summary.mean == 0) {
                if (c.candidate.summary.mean == 0) {
                    c.ratio = c.ci_low = c.ci_high = 1.0;
                    c.verdict = "same";
                    notes.push_back("zero on both kernels");
                } else {
                    c.verdict = directional(c.candidate.summary.mean > 0, c.direction);
                    notes.push_back("zero on " + base_kernel + ": no ratio");
                }
            } else if (c.base.values.size() < 2 || c.candidate.values.size() < 2) {
                c.ratio = c.candidate.summary.mean / c.base.summary.mean;
                c.verdict = "inconclusive";
                notes.push_back("fewer than 2 runs on a side: no interval");
            } else {
                BootstrapOptions b;
                b.resamples = options.resamples;
                b.confidence = options.confidence;
                b.seed = comparison_seed(c.workload + "/" + c.backend + "/" + c.metric + "/" +
                                         base_kernel + "/" + candidate_kernel);
                auto interval = bootstrap_ratio(c.base.values, c.candidate.values, b);
                if (interval) {
                    c.ratio = interval->ratio;
                    c.ci_low = interval->low;
                    c.ci_high = interval->high;
                    c.verdict = decide_verdict(interval->low, interval->high, c.direction,
                                               options.noise, options.min_effect);
                    if (c.verdict == "same" && !(interval->low <= 1 && 1 <= interval->high))
                        notes.push_back("differs by less than " +
                                        format_number(options.min_effect * 100) + "%");
                } else {
                    c.verdict = "no data";
                }
            }
            for (size_t i = 0; i < notes.size(); ++i)
                c.note += (i ? "; " : "") + notes[i];
            out.push_back(std::move(c));
        }
    }
    return out;
}

void to_json(nlohmann::json& j, const Comparison& c) {
    j = {{"workload", c.workload},
         {"backend", c.backend},
         {"metric", c.metric},
         {"unit", c.unit},
         {"better", direction_key(c.direction)},
         {"base_kernel", c.base_kernel},
         {"candidate_kernel", c.candidate_kernel},
         {"base", side_json(c.base)},
         {"candidate", side_json(c.candidate)},
         {"ratio", optional_number(c.ratio)},
         {"ci_low", optional_number(c.ci_low)},
         {"ci_high", optional_number(c.ci_high)},
         {"verdict", c.verdict},
         {"note", c.note}};
}

void from_json(const nlohmann::json& j, Comparison& c) {
    j.at("workload").get_to(c.workload);
    j.at("backend").get_to(c.backend);
    j.at("metric").get_to(c.metric);
    j.at("unit").get_to(c.unit);
    c.direction = parse_direction_key(j.at("better").get<std::string>());
    j.at("base_kernel").get_to(c.base_kernel);
    j.at("candidate_kernel").get_to(c.candidate_kernel);
    c.base = side_from_json(j.at("base"));
    c.candidate = side_from_json(j.at("candidate"));
    c.ratio = number_or_null(j.at("ratio"));
    c.ci_low = number_or_null(j.at("ci_low"));
    c.ci_high = number_or_null(j.at("ci_high"));
    j.at("verdict").get_to(c.verdict);
    j.at("note").get_to(c.note);
}

} // namespace vswap
