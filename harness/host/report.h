// The report of a results directory: report.json (every comparison, the
// runs that failed or are missing), report.md for people, and plots.
#pragma once

#include "host/comparison.h"
#include "host/number_format.h"
#include "host/results_dir.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vswap {

struct ReportOptions {
    std::optional<std::string> base_kernel; // default: baseline if present, else the first
    CompareOptions compare;
    bool plots = true;
};

struct Report {
    nlohmann::json json;  // report.json
    std::string markdown; // report.md
    // Every run the matrix asks for has a result file.
    bool complete = false;
    // Complete, and no run failed.
    bool passed = false;
    std::vector<std::string> problems; // one line each: missing runs, failures
};

// Throws UserError when the results hold a single kernel, or when the base
// kernel and a candidate have no workload in common.
Report build_report(const ResultSet& results, const ReportOptions& options);

// What keeps a report from holding every comparison: missing runs,
// comparisons without data, a comparison count short of the matrix, failed
// runs of compared pairs, and kernel problems (splats, timeouts) in any run.
// Failures on pairs the base kernel does not support (zswap-only) are
// listed in the report but not counted here. Empty: the report is whole.
std::vector<std::string> comparison_gaps(const nlohmann::json& report);

// Writes report.json, report.md and (when asked) plots/*.svg into `dir`.
// A plot that cannot be drawn is a problem of the report, named in it.
void write_report(const std::filesystem::path& dir, Report& report, const ResultSet& results,
                  const ReportOptions& options);

// Markdown tables of comparisons (also what `compare` prints), one per
// pair and candidate, under headings of `level` (###).
std::string comparisons_markdown(const std::vector<Comparison>& comparisons, int level = 3);

} // namespace vswap
