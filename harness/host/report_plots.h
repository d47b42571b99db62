// SVG plots of a report, drawn with gnuplot: per pair, the mean of every
// metric per kernel with its 95% interval, the candidate/base ratios with
// their intervals, and latency distributions where the workload has them.
#pragma once

#include "host/results_dir.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vswap {

struct PlotFile {
    std::string slug; // "usemem-zswap": the pair it belongs to
    std::string file; // relative to the plots directory
    std::string title;
};

struct PlotOutcome {
    std::vector<PlotFile> files;
    std::string error; // why some or all plots were not drawn; empty when all were
};

// The gnuplot script and data for one plot, without running anything (for
// tests and for draw_plots).
struct PlotJob {
    PlotFile file;
    std::string script;
    std::vector<std::pair<std::string, std::string>> data; // file name, content
};
std::vector<PlotJob> plan_plots(const nlohmann::json& report, const ResultSet& results);

PlotOutcome draw_plots(const std::filesystem::path& dir, const nlohmann::json& report,
                       const ResultSet& results);

} // namespace vswap
