#include "host/report.h"

#include "common/error.h"
#include "common/text.h"
#include "host/backend_catalog.h"
#include "host/report_plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

namespace vswap {
namespace {

const std::vector<std::string> kVerdicts = {"better", "same",  "worse",  "inconclusive",
                                            "higher", "lower", "no data"};

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return stamp;
}

std::vector<std::string> kernels_of(const ResultSet& results) {
    if (results.matrix)
        return results.matrix->matrix.kernels;
    std::vector<std::string> kernels;
    for (const auto& r : results.runs) {
        if (std::find(kernels.begin(), kernels.end(), r.cell.kernel) == kernels.end())
            kernels.push_back(r.cell.kernel);
    }
    return kernels;
}

std::vector<Combo> combos_of(const ResultSet& results) {
    if (results.matrix)
        return results.matrix->matrix.combos;
    std::vector<Combo> combos;
    for (const auto& r : results.runs) {
        Combo c{r.cell.workload, r.cell.backend};
        if (std::find(combos.begin(), combos.end(), c) == combos.end())
            combos.push_back(c);
    }
    return combos;
}

struct Counts {
    unsigned ok = 0, failed = 0, not_supported = 0;
};

Counts count_runs(const std::vector<RunRecord>& runs, const std::string& kernel,
                  const std::optional<Combo>& combo = std::nullopt) {
    Counts c;
    for (const auto& r : runs) {
        if (r.cell.kernel != kernel)
            continue;
        if (combo && (r.cell.workload != combo->workload || r.cell.backend != combo->backend))
            continue;
        c.ok += r.status == RunStatus::Ok;
        c.failed += r.status == RunStatus::Failed;
        c.not_supported += r.status == RunStatus::NotSupported;
    }
    return c;
}

// The base cannot run this pair: every run of it that exists says so.
bool unsupported_on(const std::vector<RunRecord>& runs, const std::string& kernel,
                    const Combo& combo) {
    Counts c = count_runs(runs, kernel, combo);
    return c.not_supported > 0 && c.ok == 0 && c.failed == 0;
}

std::string not_supported_reason(const std::vector<RunRecord>& runs, const std::string& kernel,
                                 const Combo& combo) {
    for (const auto& r : runs) {
        if (r.cell.kernel == kernel && r.cell.workload == combo.workload &&
            r.cell.backend == combo.backend && r.status == RunStatus::NotSupported)
            return r.reason;
    }
    return {};
}

std::string ci_text(const Comparison& c) {
    if (!c.ci_low)
        return "-";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.3f–%.3f", *c.ci_low, *c.ci_high);
    return buffer;
}

std::string ratio_text(const Comparison& c) {
    if (!c.ratio)
        return "-";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", *c.ratio);
    return buffer;
}

std::string side_text(const SideStats& s) {
    if (s.summary.n == 0)
        return "-";
    return format_number(s.summary.median) + " (" + format_number(s.summary.mean) + " ± " +
           format_number(s.summary.stdev) + ", n=" + std::to_string(s.summary.n) + ")";
}

std::string verdict_text(const Comparison& c) {
    if (c.verdict == "better" || c.verdict == "worse")
        return "**" + c.verdict + "**";
    return c.verdict;
}

std::string slug(const Combo& c) {
    return c.workload + "-" + c.backend;
}

// One line: reasons can quote multi-line stderr.
std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    std::replace(s.begin(), s.end(), '|', '/');
    return s;
}

nlohmann::json side_summary_json(const std::vector<double>& values) {
    if (values.empty())
        return {{"n", 0}};
    Summary s = summarize(values);
    return {{"n", s.n},         {"median", s.median}, {"mean", s.mean},
            {"stdev", s.stdev}, {"min", s.min},       {"max", s.max}};
}

} // namespace

std::string comparisons_markdown(const std::vector<Comparison>& comparisons, int level) {
    std::string md;
    std::string current;
    for (const auto& c : comparisons) {
        std::string heading =
            c.workload + " on " + c.backend + ": " + c.candidate_kernel + " vs " + c.base_kernel;
        if (heading != current) {
            current = heading;
            md += "\n" + std::string(static_cast<size_t>(level), '#') + " " + heading +
                  "\n\n| metric | unit | better | " + c.base_kernel + " median (mean ± sd, n) | " +
                  c.candidate_kernel +
                  " median (mean ± sd, n) | ratio | 95% CI | verdict | note |\n"
                  "|---|---|---|---|---|---|---|---|---|\n";
        }
        std::string better = c.direction == Direction::HigherIsBetter  ? "higher"
                             : c.direction == Direction::LowerIsBetter ? "lower"
                                                                       : "-";
        md += "| " + c.metric + " | " + c.unit + " | " + better + " | " + side_text(c.base) +
              " | " + side_text(c.candidate) + " | " + ratio_text(c) + " | " + ci_text(c) + " | " +
              verdict_text(c) + " | " + c.note + " |\n";
    }
    return md;
}

Report build_report(const ResultSet& results, const ReportOptions& options) {
    Report report;
    const std::vector<std::string> kernels = kernels_of(results);
    if (kernels.size() < 2)
        throw UserError("the results in " + results.dir.string() + " hold one kernel (" +
                            (kernels.empty() ? std::string("none") : kernels[0]) +
                            "): a report compares two or more",
                        "run the matrix with --kernels baseline,vswap");
    std::string base = options.base_kernel.value_or(
        std::find(kernels.begin(), kernels.end(), "baseline") != kernels.end() ? "baseline"
                                                                               : kernels[0]);
    if (std::find(kernels.begin(), kernels.end(), base) == kernels.end())
        throw UserError(
            "base kernel '" + base + "' has no runs in " + results.dir.string(),
            "the results hold: " + [&] {
                std::string s;
                for (const auto& k : kernels)
                    s += (s.empty() ? "" : ", ") + k;
                return s;
            }());
    std::vector<std::string> candidates;
    for (const auto& k : kernels) {
        if (k != base)
            candidates.push_back(k);
    }
    const std::vector<Combo> combos = combos_of(results);

    // Pairs the base cannot run (zswap-only) are shown per kernel instead.
    std::vector<Combo> compared, base_unsupported;
    for (const auto& c : combos)
        (unsupported_on(results.runs, base, c) ? base_unsupported : compared).push_back(c);

    std::vector<Comparison> comparisons;
    for (const auto& cand : candidates) {
        std::vector<Combo> pairs;
        for (const auto& c : compared) {
            if (!unsupported_on(results.runs, cand, c))
                pairs.push_back(c);
        }
        auto part = compare_kernels(results.runs, base, results.runs, cand, pairs, options.compare);
        comparisons.insert(comparisons.end(), part.begin(), part.end());
    }

    // Runs that are missing, failed, or not supported.
    const std::vector<Cell> missing = results.missing_cells();
    nlohmann::json missing_json = nlohmann::json::array();
    for (const auto& c : missing)
        missing_json.push_back(c.id());
    nlohmann::json failed_json = nlohmann::json::array();
    nlohmann::json unsupported_json = nlohmann::json::array();
    double host_seconds = 0;
    for (const auto& r : results.runs) {
        host_seconds += r.host_seconds;
        if (r.status == RunStatus::Failed)
            failed_json.push_back({{"id", r.cell.id()},
                                   {"kernel", r.cell.kernel},
                                   {"workload", r.cell.workload},
                                   {"backend", r.cell.backend},
                                   {"repeat", r.cell.repeat},
                                   {"reason", one_line(r.reason)},
                                   {"console_verdict", r.console_verdict}});
    }
    for (const auto& c : combos) {
        for (const auto& k : kernels) {
            if (unsupported_on(results.runs, k, c))
                unsupported_json.push_back({{"workload", c.workload},
                                            {"backend", c.backend},
                                            {"kernel", k},
                                            {"reason", not_supported_reason(results.runs, k, c)}});
        }
    }

    // Kernel identities, and whether one changed during the runs.
    nlohmann::json kernels_json = nlohmann::json::array();
    for (const auto& k : kernels) {
        std::set<std::string> configs, images;
        bool virtual_swap = false;
        for (const auto& r : results.runs) {
            if (r.cell.kernel != k)
                continue;
            if (!r.kernel.config_hash.empty())
                configs.insert(r.kernel.config_hash);
            if (!r.kernel.image_hash.empty())
                images.insert(r.kernel.image_hash);
            virtual_swap |= r.kernel.virtual_swap;
        }
        Counts n = count_runs(results.runs, k);
        kernels_json.push_back({{"variant", k},
                                {"role", k == base ? "base" : "candidate"},
                                {"config_hashes", configs},
                                {"image_hashes", images},
                                {"virtual_swap", virtual_swap},
                                {"runs_ok", n.ok},
                                {"runs_failed", n.failed},
                                {"runs_not_supported", n.not_supported}});
        if (images.size() > 1)
            report.problems.push_back("kernel " + k +
                                      " changed during the runs: " + std::to_string(images.size()) +
                                      " different images were booted");
    }

    // Pairs only some kernels run: absolute figures per kernel.
    nlohmann::json only_json = nlohmann::json::array();
    for (const auto& c : base_unsupported) {
        for (const auto& k : kernels) {
            Counts n = count_runs(results.runs, k, c);
            nlohmann::json entry = {{"workload", c.workload},
                                    {"backend", c.backend},
                                    {"kernel", k},
                                    {"runs_ok", n.ok},
                                    {"runs_failed", n.failed},
                                    {"runs_not_supported", n.not_supported},
                                    {"metrics", nlohmann::json::object()}};
            if (n.ok) {
                for (const auto& m : compared_metrics(c.workload)) {
                    std::vector<double> values;
                    for (const auto& r : results.runs) {
                        if (r.cell.kernel == k && r.cell.workload == c.workload &&
                            r.cell.backend == c.backend && r.status == RunStatus::Ok &&
                            r.metrics.count(m.name))
                            values.push_back(r.metrics.at(m.name));
                    }
                    entry["metrics"][m.name] = side_summary_json(values);
                }
            }
            only_json.push_back(entry);
        }
    }

    // The vswap counters, where a kernel provides them: the leak check after
    // each run and the peaks while it ran.
    nlohmann::json vswap_json = nlohmann::json::array();
    for (const auto& c : combos) {
        for (const auto& k : kernels) {
            std::map<std::string, unsigned> checks;
            std::map<std::string, double> peaks;
            for (const auto& r : results.runs) {
                if (r.cell.kernel != k || r.cell.workload != c.workload ||
                    r.cell.backend != c.backend || !r.guest.is_object() ||
                    !r.guest.contains("vswap"))
                    continue;
                const auto& v = r.guest["vswap"];
                std::string check = v.value("leak_check", std::string("?"));
                if (check.rfind("not supported", 0) == 0)
                    continue;
                ++checks[check];
                for (const auto& [name, value] : r.metrics) {
                    if (name.rfind("vswap_", 0) == 0 && name.size() > 5 &&
                        name.substr(name.size() - 5) == "_peak")
                        peaks[name] = std::max(peaks[name], value);
                }
            }
            if (!checks.empty())
                vswap_json.push_back({{"workload", c.workload},
                                      {"backend", c.backend},
                                      {"kernel", k},
                                      {"leak_checks", checks},
                                      {"peaks", peaks}});
        }
    }

    report.complete = missing.empty();
    if (!missing.empty())
        report.problems.push_back(std::to_string(missing.size()) + " of " +
                                  std::to_string(results.expected_cells().size()) +
                                  " runs are missing (first: " + missing.front().id() + ")");
    if (!failed_json.empty())
        report.problems.push_back(std::to_string(failed_json.size()) + " run(s) failed (first: " +
                                  failed_json[0]["id"].get<std::string>() + ": " +
                                  failed_json[0]["reason"].get<std::string>() + ")");
    report.passed = report.complete && failed_json.empty() && report.problems.empty();

    size_t expected_comparisons = 0;
    nlohmann::json compared_json = nlohmann::json::array();
    for (const auto& c : compared) {
        compared_json.push_back({{"workload", c.workload}, {"backend", c.backend}});
        for (const auto& cand : candidates) {
            if (!unsupported_on(results.runs, cand, c))
                expected_comparisons += compared_metrics(c.workload).size();
        }
    }
    nlohmann::json kernel_problems = nlohmann::json::array();
    for (const auto& r : results.runs) {
        if (!r.splats.empty() || r.reason.rfind("guest timed out", 0) == 0 ||
            r.reason.rfind("guest ended without", 0) == 0)
            kernel_problems.push_back(r.cell.id() + ": " + one_line(r.reason));
    }

    std::map<std::string, std::map<std::string, unsigned>> tally; // candidate -> verdict -> n
    for (const auto& c : comparisons)
        ++tally[c.candidate_kernel][c.verdict];

    nlohmann::json& j = report.json;
    j = {{"schema", "vswap-report/1"},
         {"generated_at", utc_now()},
         {"results_dir", results.dir.string()},
         {"harness_versions", nlohmann::json::array()},
         {"matrix", results.matrix ? nlohmann::json(results.matrix->matrix) : nlohmann::json()},
         {"base_kernel", base},
         {"candidate_kernels", candidates},
         {"kernels", kernels_json},
         {"noise_threshold", options.compare.noise},
         {"confidence", options.compare.confidence},
         {"bootstrap_resamples", options.compare.resamples},
         {"complete", report.complete},
         {"passed", report.passed},
         {"problems", report.problems},
         {"runs_total", results.runs.size()},
         {"runs_expected", results.expected_cells().size()},
         {"host_seconds", host_seconds},
         {"missing_runs", missing_json},
         {"failed_runs", failed_json},
         {"not_supported", unsupported_json},
         {"verdict_counts", tally},
         {"compared_pairs", compared_json},
         {"comparisons_expected", expected_comparisons},
         {"kernel_problems", kernel_problems},
         {"comparisons", comparisons},
         {"only_some_kernels", only_json},
         {"vswap_counters", vswap_json},
         {"plots", nlohmann::json::array()}};
    std::set<std::string> versions;
    for (const auto& r : results.runs)
        versions.insert(r.harness_version);
    j["harness_versions"] = versions;

    // Markdown.
    std::string md = "# vswap benchmark report\n\n";
    if (!report.complete)
        md += "> **INCOMPLETE REPORT**: " + std::to_string(missing.size()) +
              " run(s) of the matrix have no result; their comparisons are missing or "
              "based on fewer runs.\n\n";
    if (results.matrix) {
        const MatrixSpec& m = results.matrix->matrix;
        md += "- Matrix: `" + m.name + "`, " + std::to_string(m.repeats) + " repeats, " +
              (m.timing == "icount" ? std::string("icount timing (one vCPU, guest clock "
                                                  "deterministic)")
                                    : "MTTCG timing (" + std::to_string(m.cpus) + " vCPUs)") +
              ", guest RAM " + format_size(m.mem_bytes) + "\n";
    }
    md += "- Runs: " + std::to_string(results.runs.size()) + " of " +
          std::to_string(results.matrix ? results.expected_cells().size() : results.runs.size()) +
          " (" + std::to_string(failed_json.size()) + " failed, " +
          std::to_string(std::count_if(
              results.runs.begin(), results.runs.end(),
              [](const RunRecord& r) { return r.status == RunStatus::NotSupported; })) +
          " not supported); host time " + format_seconds(host_seconds) + "\n";
    md += "- Harness: ";
    for (const auto& v : versions)
        md += "`" + v + "` ";
    md += "\n- Kernels:\n";
    for (const auto& k : kernels_json) {
        std::string configs, images;
        for (const auto& h : k["config_hashes"])
            configs += (configs.empty() ? "" : ", ") + h.get<std::string>();
        for (const auto& h : k["image_hashes"])
            images += (images.empty() ? "" : ", ") + h.get<std::string>();
        md += "  - `" + k["variant"].get<std::string>() + "` (" + k["role"].get<std::string>() +
              "): .config " + (configs.empty() ? "not recorded" : configs) + ", image " + images +
              (k["virtual_swap"].get<bool>() ? ", CONFIG_VIRTUAL_SWAP=y" : "") + "; " +
              std::to_string(k["runs_ok"].get<unsigned>()) + " ok, " +
              std::to_string(k["runs_failed"].get<unsigned>()) + " failed\n";
    }
    char rule[1024];
    std::snprintf(rule, sizeof rule,
                  "\nEach ratio is mean(candidate) / mean(%s) with a %.0f%% percentile bootstrap "
                  "interval (%u resamples). **same**: the interval holds 1 and its half-width is "
                  "under %.1f%%, or the whole interval lies within ±%.1f%% (a real but "
                  "negligible difference: icount makes CPU figures exactly repeatable); "
                  "**inconclusive**: it holds 1 but is wider, or a side has fewer than 2 runs; "
                  "**better** / **worse**: it excludes 1 (for metrics with a direction); "
                  "**higher** / **lower**: the same for informational counters. Times are "
                  "measured by the guest's clock.\n",
                  base.c_str(), options.compare.confidence * 100, options.compare.resamples,
                  options.compare.noise * 100, options.compare.min_effect * 100);
    md += rule;
    if (!report.problems.empty()) {
        md += "\n## Problems\n\n";
        for (const auto& p : report.problems)
            md += "- " + p + "\n";
    }

    md += "\n## Summary\n\n| candidate vs " + base + " |";
    for (const auto& v : kVerdicts)
        md += " " + v + " |";
    md += "\n|---|";
    for (size_t i = 0; i < kVerdicts.size(); ++i)
        md += "---|";
    md += "\n";
    for (const auto& cand : candidates) {
        md += "| " + cand + " |";
        for (const auto& v : kVerdicts)
            md += " " + std::to_string(tally[cand][v]) + " |";
        md += "\n";
    }
    std::string differences;
    for (const auto& c : comparisons) {
        if (c.verdict == "better" || c.verdict == "worse")
            differences += "| " + c.workload + " | " + c.backend + " | " + c.metric + " | " +
                           c.candidate_kernel + " | " + ratio_text(c) + " | " + ci_text(c) + " | " +
                           verdict_text(c) + " |\n";
    }
    md += "\n### Better or worse\n\n";
    md += differences.empty() ? "None: no metric with a direction differs significantly.\n"
                              : "| workload | backend | metric | kernel | ratio | 95% CI | "
                                "verdict |\n|---|---|---|---|---|---|---|\n" +
                                    differences;

    md += "\n## Comparisons\n";
    for (const auto& c : compared) {
        md += "\n### " + c.workload + " on " + c.backend + "\n\n" +
              find_workload(c.workload).description + ".\n";
        std::vector<Comparison> part;
        for (const auto& x : comparisons) {
            if (x.workload == c.workload && x.backend == c.backend)
                part.push_back(x);
        }
        md += "\n<!-- plots:" + slug(c) + " -->\n";
        md += comparisons_markdown(part, 4);
    }

    if (!base_unsupported.empty()) {
        md += "\n## Backends not every kernel supports\n";
        for (const auto& c : base_unsupported) {
            md += "\n### " + c.workload + " on " + c.backend + "\n\n| kernel | status |";
            auto metrics = compared_metrics(c.workload);
            for (const auto& m : find_workload(c.workload).metrics)
                md += " " + m.name + " (" + m.unit + ") |";
            md += "\n|---|---|";
            for (size_t i = 0; i < find_workload(c.workload).metrics.size(); ++i)
                md += "---|";
            md += "\n";
            for (const auto& e : only_json) {
                if (e["workload"] != c.workload || e["backend"] != c.backend)
                    continue;
                const std::string k = e["kernel"];
                std::string status;
                if (e["runs_not_supported"].get<unsigned>())
                    status = "not supported: " + not_supported_reason(results.runs, k, c);
                else
                    status = std::to_string(e["runs_ok"].get<unsigned>()) + " ok, " +
                             std::to_string(e["runs_failed"].get<unsigned>()) + " failed";
                md += "| " + k + " | " + status + " |";
                for (const auto& m : find_workload(c.workload).metrics) {
                    const auto& s = e["metrics"].value(m.name, nlohmann::json{{"n", 0}});
                    md += " " + (s["n"].get<unsigned>() ? format_number(s["median"]) : "-") + " |";
                }
                md += "\n";
            }
        }
    }

    if (!vswap_json.empty()) {
        md += "\n## vswap counters\n\nThe leak check reads /sys/kernel/debug/vswap after the "
              "backend is torn down: every counter but the cumulative ones (alloc_failures, "
              "discontig_folios) must be back to 0. Peaks "
              "are sampled every 250 ms while the workload runs.\n\n"
              "| workload | backend | kernel | leak checks | peaks |\n|---|---|---|---|---|\n";
        for (const auto& v : vswap_json) {
            std::string checks, peaks;
            for (const auto& [outcome, n] : v["leak_checks"].items())
                checks += (checks.empty() ? "" : "; ") + std::to_string(n.get<unsigned>()) + "× " +
                          one_line(outcome);
            for (const auto& [name, value] : v["peaks"].items())
                peaks += (peaks.empty() ? "" : ", ") + name.substr(6, name.size() - 11) + " " +
                         format_number(value.get<double>());
            md += "| " + v["workload"].get<std::string>() + " | " +
                  v["backend"].get<std::string>() + " | " + v["kernel"].get<std::string>() + " | " +
                  checks + " | " + (peaks.empty() ? "-" : peaks) + " |\n";
        }
    }

    if (!failed_json.empty()) {
        md += "\n## Failed runs\n\n| run | reason | console |\n|---|---|---|\n";
        for (const auto& f : failed_json) {
            md += "| " + f["id"].get<std::string>() + " | " + f["reason"].get<std::string>() +
                  " | " + f["console_verdict"].get<std::string>() + " |\n";
        }
        md += "\nThe console of each failed run is in `logs/RUN.console.log`, its result in "
              "`runs/RUN.json`.\n";
    }
    if (!missing.empty()) {
        md += "\n## Missing runs\n\n";
        for (const auto& c : missing)
            md += "- " + c.id() + "\n";
    }
    report.markdown = md;
    return report;
}

std::vector<std::string> comparison_gaps(const nlohmann::json& report) {
    std::vector<std::string> gaps;
    if (!report.at("missing_runs").empty())
        gaps.push_back(std::to_string(report["missing_runs"].size()) +
                       " run(s) missing, first: " + report["missing_runs"][0].get<std::string>());
    const size_t have = report.at("comparisons").size();
    const size_t want = report.at("comparisons_expected").get<size_t>();
    if (have != want)
        gaps.push_back(std::to_string(have) + " comparisons where the matrix asks for " +
                       std::to_string(want));
    size_t no_data = 0;
    std::string first;
    for (const auto& c : report["comparisons"]) {
        if (c["verdict"] == "no data" && no_data++ == 0)
            first = c["workload"].get<std::string>() + "/" + c["backend"].get<std::string>() + " " +
                    c["metric"].get<std::string>() + " (" +
                    c["candidate_kernel"].get<std::string>() + "): " + c["note"].get<std::string>();
    }
    if (no_data)
        gaps.push_back(std::to_string(no_data) + " comparison(s) without data, first: " + first);
    for (const auto& f : report.at("failed_runs")) {
        for (const auto& p : report.at("compared_pairs")) {
            if (p["workload"] == f["workload"] && p["backend"] == f["backend"])
                gaps.push_back("run " + f["id"].get<std::string>() +
                               " failed: " + f["reason"].get<std::string>());
        }
    }
    for (const auto& k : report.at("kernel_problems"))
        gaps.push_back("kernel problem in " + k.get<std::string>());
    return gaps;
}

void write_report(const std::filesystem::path& dir, Report& report, const ResultSet& results,
                  const ReportOptions& options) {
    std::filesystem::create_directories(dir);
    std::map<std::string, std::vector<std::string>> plots_by_slug;
    if (options.plots) {
        PlotOutcome plots = draw_plots(dir / "plots", report.json, results);
        for (const auto& p : plots.files) {
            report.json["plots"].push_back("plots/" + p.file);
            plots_by_slug[p.slug].push_back("![" + p.title + "](plots/" + p.file + ")");
        }
        if (!plots.error.empty()) {
            report.problems.push_back("plots: " + plots.error);
            report.passed = false;
            report.json["problems"] = report.problems;
            report.json["passed"] = false;
            report.markdown += "\n## Plots\n\nNot drawn: " + plots.error + "\n";
        }
    }
    // Put each pair's plots under its heading.
    std::string md = report.markdown;
    for (size_t at = md.find("<!-- plots:"); at != std::string::npos;
         at = md.find("<!-- plots:", at)) {
        size_t end = md.find(" -->\n", at);
        std::string key = md.substr(at + 11, end - at - 11);
        std::string images;
        for (const auto& i : plots_by_slug[key])
            images += "\n" + i + "\n";
        md.replace(at, end + 5 - at, images);
        at += images.size();
    }
    write_file_atomic(dir / "report.json", report.json.dump(2) + "\n");
    write_file_atomic(dir / "report.md", md);
    report.markdown = md;
}

} // namespace vswap
