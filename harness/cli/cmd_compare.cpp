// scripts/vswap compare BASE CANDIDATE: per workload, backend and metric,
// the two kernels' figures, the ratio with its bootstrap interval, and a
// verdict.
#include "cli/options.h"
#include "common/error.h"
#include "host/comparison.h"
#include "host/report.h"
#include "host/results_dir.h"

#include <algorithm>
#include <iostream>
#include <set>

namespace vswap::cli {
namespace {

struct Side {
    std::string spec; // as given
    ResultSet results;
    std::string kernel;
};

// PATH or PATH:KERNEL. A path that exists as given wins over the split.
Side load_side(const std::string& spec, const char* role) {
    Side s;
    s.spec = spec;
    std::string path = spec;
    std::string kernel;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        size_t colon = spec.rfind(':');
        if (colon != std::string::npos) {
            path = spec.substr(0, colon);
            kernel = spec.substr(colon + 1);
        }
    }
    s.results = load_results(path);
    std::set<std::string> kernels;
    for (const auto& r : s.results.runs)
        kernels.insert(r.cell.kernel);
    if (kernels.empty())
        throw UserError(std::string(role) + " " + path + " holds no runs");
    if (kernel.empty()) {
        if (kernels.size() > 1) {
            std::string list;
            for (const auto& k : kernels)
                list += (list.empty() ? "" : ", ") + k;
            throw UserError(std::string(role) + " " + path + " holds runs of several kernels (" +
                                list + ")",
                            "name one as " + path + ":KERNEL");
        }
        kernel = *kernels.begin();
    } else if (!kernels.count(kernel)) {
        throw UserError(std::string(role) + " " + path + " has no run of kernel '" + kernel + "'");
    }
    s.kernel = kernel;
    return s;
}

// Pairs with at least one run (of any outcome but not-supported).
std::vector<Combo> tried_combos(const ResultSet& r, const std::string& kernel) {
    std::vector<Combo> combos;
    for (const auto& run : r.runs) {
        if (run.cell.kernel != kernel || run.status == RunStatus::NotSupported)
            continue;
        Combo c{run.cell.workload, run.cell.backend};
        if (std::find(combos.begin(), combos.end(), c) == combos.end())
            combos.push_back(c);
    }
    return combos;
}

std::string describe(const std::vector<Combo>& combos) {
    std::string s;
    for (const auto& c : combos)
        s += (s.empty() ? "" : ", ") + c.workload + "/" + c.backend;
    return s.empty() ? "nothing" : s;
}

} // namespace

int cmd_compare(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")(
        "noise", po::value<double>()->default_value(0.05),
        "largest CI half-width (as a fraction) still called \"same\"")(
        "resamples", po::value<unsigned>()->default_value(10000), "bootstrap resamples")(
        "json", "print the comparisons as JSON")("base", po::value<std::string>(), "BASE")(
        "candidate", po::value<std::string>(), "CANDIDATE");
    po::positional_options_description p;
    p.add("base", 1).add("candidate", 1);
    auto vm = parse("compare", args, o, p);
    if (vm.count("help") || !vm.count("base") || !vm.count("candidate")) {
        print_help("compare BASE CANDIDATE [--noise F] [--json]",
                   "BASE and CANDIDATE are results directories (or run files), each\n"
                   "PATH[:KERNEL] when it holds several kernels; e.g.\n"
                   "  scripts/vswap compare results/X:baseline results/X:vswap\n"
                   "For every workload, backend and metric both hold: median, mean, stdev, n,\n"
                   "the candidate/base ratio of the means with a 95% bootstrap interval, and\n"
                   "better / same / worse (\"same\" when the interval holds 1 and is narrower\n"
                   "than +-noise). Markdown on stdout; --json for scripts.",
                   o);
        return vm.count("help") ? 0 : 2;
    }
    Side base = load_side(vm["base"].as<std::string>(), "BASE");
    Side cand = load_side(vm["candidate"].as<std::string>(), "CANDIDATE");
    if (base.results.dir == cand.results.dir && base.kernel == cand.kernel)
        throw UserError("BASE and CANDIDATE are the same runs (" + base.kernel + ")",
                        "name two kernels, e.g. DIR:baseline DIR:vswap");
    auto base_combos = tried_combos(base.results, base.kernel);
    auto cand_combos = tried_combos(cand.results, cand.kernel);
    std::vector<Combo> common;
    for (const auto& c : base_combos) {
        if (std::find(cand_combos.begin(), cand_combos.end(), c) != cand_combos.end())
            common.push_back(c);
    }
    if (common.empty())
        throw UserError("BASE (" + base.kernel + ") and CANDIDATE (" + cand.kernel +
                            ") have no workload and backend in common: BASE ran " +
                            describe(base_combos) + "; CANDIDATE ran " + describe(cand_combos),
                        "compare runs of the same matrix");
    CompareOptions options;
    options.noise = vm["noise"].as<double>();
    options.resamples = vm["resamples"].as<unsigned>();
    auto comparisons = compare_kernels(base.results.runs, base.kernel, cand.results.runs,
                                       cand.kernel, common, options);
    if (vm.count("json")) {
        std::cout << nlohmann::json{{"base", base.spec},
                                    {"candidate", cand.spec},
                                    {"noise_threshold", options.noise},
                                    {"comparisons", comparisons}}
                         .dump(2)
                  << "\n";
    } else {
        std::cout << "# " << cand.kernel << " (" << cand.spec << ") vs " << base.kernel << " ("
                  << base.spec << ")\n"
                  << comparisons_markdown(comparisons);
    }
    return 0;
}

} // namespace vswap::cli
