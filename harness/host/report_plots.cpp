#include "host/report_plots.h"

#include "common/process.h"
#include "common/text.h"
#include "host/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <unistd.h>

namespace vswap {
namespace fs = std::filesystem;
namespace {

std::string num(double v) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.9g", v);
    return buffer;
}

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\\\"") : std::string(1, c);
    return out + "\"";
}

const char* kHeader = "set terminal svg size %d,%d dynamic noenhanced font 'sans,10' "
                      "background rgb 'white'\nset output %s\nset style fill solid 0.6 border -1\n"
                      "set grid ytics lc rgb '#dddddd'\nset key noautotitle\n";

std::string header(int width, int height, const std::string& output) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, kHeader, width, height, quote(output).c_str());
    return buffer;
}

// Per-kernel values of one metric of one pair, base kernel first.
using KernelValues = std::vector<std::pair<std::string, std::vector<double>>>;

struct PairData {
    std::string workload, backend;
    std::vector<std::string> metrics;           // in report order
    std::map<std::string, KernelValues> values; // metric -> kernels
    std::map<std::string, std::string> units;   // metric -> unit
    std::vector<nlohmann::json> ratios;         // comparisons of this pair
};

std::vector<PairData> pairs_of(const nlohmann::json& report) {
    std::vector<PairData> pairs;
    for (const auto& c : report.at("comparisons")) {
        const std::string w = c.at("workload"), b = c.at("backend"), m = c.at("metric");
        auto it = std::find_if(pairs.begin(), pairs.end(), [&](const PairData& p) {
            return p.workload == w && p.backend == b;
        });
        if (it == pairs.end()) {
            pairs.push_back({w, b, {}, {}, {}, {}});
            it = pairs.end() - 1;
        }
        if (std::find(it->metrics.begin(), it->metrics.end(), m) == it->metrics.end())
            it->metrics.push_back(m);
        it->units[m] = c.at("unit");
        auto& kv = it->values[m];
        auto add = [&](const std::string& kernel, const nlohmann::json& side) {
            for (const auto& e : kv) {
                if (e.first == kernel)
                    return;
            }
            kv.push_back({kernel, side.at("values").get<std::vector<double>>()});
        };
        add(c.at("base_kernel"), c.at("base"));
        add(c.at("candidate_kernel"), c.at("candidate"));
        it->ratios.push_back(c);
    }
    return pairs;
}

PlotJob metric_panels(const PairData& p) {
    PlotJob job;
    const std::string slug = p.workload + "-" + p.backend;
    job.file = {slug, slug + ".svg", p.workload + " on " + p.backend + ": mean and 95% CI"};
    const int cols = 4;
    const int rows = static_cast<int>((p.metrics.size() + cols - 1) / cols);
    job.script = header(1200, 230 * rows + 40, job.file.file);
    job.script += "set multiplot layout " + std::to_string(rows) + "," + std::to_string(cols) +
                  " title " + quote(job.file.title + " per kernel (bootstrap of the mean)") + "\n";
    job.script += "set boxwidth 0.6\nset xtics nomirror rotate by -20 font 'sans,8'\n"
                  "set yrange [0:*]\nset offsets 0.5, 0.5, 0, 0\n";
    for (size_t i = 0; i < p.metrics.size(); ++i) {
        const std::string& m = p.metrics[i];
        std::string data;
        for (const auto& [kernel, values] : p.values.at(m)) {
            if (values.empty()) {
                data += kernel + " 0 0 0\n";
                continue;
            }
            auto ci = bootstrap_mean(values, {2000, 0.95, 1});
            data += kernel + " " + num(ci->mean) + " " + num(ci->low) + " " + num(ci->high) + "\n";
        }
        std::string name = slug + "." + std::to_string(i) + ".dat";
        job.data.push_back({name, data});
        job.script += "set title " + quote(m + " (" + p.units.at(m) + ")") + "\n";
        job.script += "plot " + quote(name) +
                      " using 0:2:($0+1):xtic(1) with boxes lc variable, '' using "
                      "0:2:3:4 with yerrorbars lc rgb 'black' pt 0\n";
    }
    job.script += "unset multiplot\n";
    return job;
}

PlotJob ratio_chart(const PairData& p) {
    PlotJob job;
    const std::string slug = p.workload + "-" + p.backend;
    job.file = {slug, slug + "-ratios.svg",
                p.workload + " on " + p.backend + ": candidate / base with 95% CI"};
    std::vector<std::string> candidates;
    for (const auto& c : p.ratios) {
        std::string k = c.at("candidate_kernel");
        if (std::find(candidates.begin(), candidates.end(), k) == candidates.end())
            candidates.push_back(k);
    }
    job.script = header(1200, 520, job.file.file);
    job.script += "set title " + quote(job.file.title) + "\n";
    job.script += "set xtics rotate by -35 font 'sans,9'\nset key top right\n"
                  "set ylabel 'ratio'\nset bmargin 7\nset xrange [-0.5:" +
                  std::to_string(p.metrics.size()) + "-0.5]\n";
    std::string plot = "plot 1 with lines lc rgb '#888888' dt 2 notitle";
    for (size_t k = 0; k < candidates.size(); ++k) {
        std::string data;
        for (size_t i = 0; i < p.metrics.size(); ++i) {
            for (const auto& c : p.ratios) {
                if (c.at("metric") != p.metrics[i] || c.at("candidate_kernel") != candidates[k] ||
                    c.at("ratio").is_null())
                    continue;
                double offset = (static_cast<double>(k) - (candidates.size() - 1) / 2.0) * 0.2;
                const double ratio = c.at("ratio");
                // Without an interval (fewer than 2 runs) the bar collapses to the point.
                const double low = c.at("ci_low").is_null() ? ratio : c.at("ci_low").get<double>();
                const double high =
                    c.at("ci_high").is_null() ? ratio : c.at("ci_high").get<double>();
                data += num(static_cast<double>(i) + offset) + " " + num(ratio) + " " + num(low) +
                        " " + num(high) + " " + p.metrics[i] + "\n";
            }
        }
        if (data.empty())
            continue;
        std::string name = slug + ".ratio." + std::to_string(k) + ".dat";
        job.data.push_back({name, data});
        plot +=
            ", " + quote(name) + " using 1:2:3:4 with yerrorbars pt 7 ps 0.8 lw 1.5 title " +
            quote(candidates[k] + " / " + p.ratios.front().at("base_kernel").get<std::string>());
    }
    std::string xtics = "set xtics (";
    for (size_t i = 0; i < p.metrics.size(); ++i)
        xtics += (i ? ", " : "") + quote(p.metrics[i]) + " " + std::to_string(i);
    job.script += xtics + ")\n" + plot + "\n";
    return job;
}

// Latency histograms in the guest results: result.latency = {bucket_upper_ns:
// [...], series: {NAME: [counts...]}}, pooled over the repeats of a kernel.
std::vector<PlotJob> latency_charts(const PairData& p, const ResultSet& results) {
    std::map<std::string, std::map<std::string, std::vector<double>>> pooled; // series->kernel
    std::vector<double> bounds;
    std::vector<std::string> kernels;
    for (const auto& r : results.runs) {
        if (r.cell.workload != p.workload || r.cell.backend != p.backend ||
            r.status != RunStatus::Ok || !r.guest.is_object())
            continue;
        const auto* latency = r.guest.contains("result") && r.guest["result"].is_object() &&
                                      r.guest["result"].contains("latency")
                                  ? &r.guest["result"]["latency"]
                                  : nullptr;
        if (!latency || !latency->contains("bucket_upper_ns"))
            continue;
        auto b = (*latency)["bucket_upper_ns"].get<std::vector<double>>();
        if (bounds.empty())
            bounds = b;
        if (b != bounds)
            continue;
        if (std::find(kernels.begin(), kernels.end(), r.cell.kernel) == kernels.end())
            kernels.push_back(r.cell.kernel);
        for (const auto& [series, counts] : (*latency)["series"].items()) {
            auto& acc = pooled[series][r.cell.kernel];
            acc.resize(bounds.size(), 0);
            auto c = counts.get<std::vector<double>>();
            for (size_t i = 0; i < c.size() && i < acc.size(); ++i)
                acc[i] += c[i];
        }
    }
    std::vector<PlotJob> jobs;
    if (pooled.empty())
        return jobs;
    PlotJob job;
    const std::string slug = p.workload + "-" + p.backend;
    job.file = {slug, slug + "-latency.svg",
                p.workload + " on " + p.backend + ": per-page latency (CDF, all repeats)"};
    job.script = header(1200, 420, job.file.file);
    job.script += "set multiplot layout 1," + std::to_string(pooled.size()) + " title " +
                  quote(job.file.title) + "\n";
    job.script += "set logscale x\nset xlabel 'latency (us)'\nset ylabel 'fraction of pages'\n"
                  "set yrange [0:1]\nset key bottom right\n";
    for (const auto& [series, by_kernel] : pooled) {
        std::string plot;
        for (size_t k = 0; k < kernels.size(); ++k) {
            auto it = by_kernel.find(kernels[k]);
            if (it == by_kernel.end())
                continue;
            double total = 0;
            for (double c : it->second)
                total += c;
            if (total == 0)
                continue;
            std::string data;
            double cumulative = 0;
            for (size_t i = 0; i < bounds.size(); ++i) {
                if (it->second[i] == 0 && cumulative == 0)
                    continue;
                if (cumulative == 0) // start the curve at 0 at the bucket's lower bound
                    data += num((i ? bounds[i - 1] : bounds[i] / 2.0) / 1000.0) + " 0\n";
                cumulative += it->second[i];
                data += num(bounds[i] / 1000.0) + " " + num(cumulative / total) + "\n";
                if (cumulative >= total)
                    break;
            }
            std::string name = slug + ".lat." + series + "." + std::to_string(k) + ".dat";
            job.data.push_back({name, data});
            plot += std::string(plot.empty() ? "plot " : ", ") + quote(name) +
                    " using 1:2 with steps lw 2 title " + quote(kernels[k]);
        }
        job.script += "set title " + quote(series) + "\n" + (plot.empty() ? "plot 0" : plot) + "\n";
    }
    job.script += "unset multiplot\n";
    jobs.push_back(job);
    return jobs;
}

} // namespace

std::vector<PlotJob> plan_plots(const nlohmann::json& report, const ResultSet& results) {
    std::vector<PlotJob> jobs;
    for (const auto& p : pairs_of(report)) {
        jobs.push_back(metric_panels(p));
        jobs.push_back(ratio_chart(p));
        for (auto& j : latency_charts(p, results))
            jobs.push_back(std::move(j));
    }
    return jobs;
}

PlotOutcome draw_plots(const fs::path& dir, const nlohmann::json& report,
                       const ResultSet& results) {
    PlotOutcome outcome;
    std::vector<PlotJob> jobs = plan_plots(report, results);
    if (jobs.empty())
        return outcome;
    if (!program_in_path("gnuplot")) {
        outcome.error = "gnuplot is not installed (install gnuplot-nox; scripts/vswap does this "
                        "as root)";
        return outcome;
    }
    fs::create_directories(dir);
    const fs::path work = dir / (".work." + std::to_string(getpid()));
    fs::create_directories(work);
    std::vector<std::string> failures;
    for (const auto& job : jobs) {
        for (const auto& [name, content] : job.data)
            write_file_atomic(work / name, content);
        write_file_atomic(work / "plot.gp", job.script);
        RunOptions options;
        options.cwd = work;
        RunResult r = run({"gnuplot", "plot.gp"}, options);
        if (!r.ok() || !fs::exists(work / job.file.file)) {
            failures.push_back(job.file.file + ": " + trim(last_lines(r.output, 2)));
            continue;
        }
        fs::rename(work / job.file.file, dir / job.file.file);
        outcome.files.push_back(job.file);
    }
    fs::remove_all(work);
    if (!failures.empty())
        outcome.error = std::to_string(failures.size()) + " of " + std::to_string(jobs.size()) +
                        " plots failed, first: " + failures.front();
    return outcome;
}

} // namespace vswap
