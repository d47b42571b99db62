// scripts/vswap report DIR: report.md, report.json and SVG plots.
#include "cli/options.h"
#include "common/error.h"
#include "host/report.h"
#include "host/results_dir.h"

#include <iostream>

namespace vswap::cli {

int cmd_report(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")("base", po::value<std::string>(),
                                                "base kernel (default: baseline, else the first)")(
        "noise", po::value<double>()->default_value(0.05),
        "largest CI half-width (as a fraction) still called \"same\"")(
        "no-plots", "skip the gnuplot SVGs")("output,o", po::value<std::string>(),
                                             "write the report here instead of into DIR")(
        "json", "print report.json")("dir", po::value<std::string>(), "DIR");
    po::positional_options_description p;
    p.add("dir", 1);
    auto vm = parse("report", args, o, p);
    if (vm.count("help") || !vm.count("dir")) {
        print_help("report DIR [--base KERNEL] [--noise F] [--no-plots] [-o OUT] [--json]",
                   "Writes report.md, report.json and plots/*.svg (gnuplot) for a results\n"
                   "directory: every comparison of every candidate kernel with the base, the\n"
                   "runs that failed, are missing or not supported. Exits 1 when the report is\n"
                   "incomplete or a run failed, naming the first problem.",
                   o);
        return vm.count("help") ? 0 : 2;
    }
    ResultSet results = load_results(vm["dir"].as<std::string>());
    ReportOptions options;
    if (vm.count("base"))
        options.base_kernel = vm["base"].as<std::string>();
    options.compare.noise = vm["noise"].as<double>();
    options.plots = !vm.count("no-plots");
    Report report = build_report(results, options);
    std::filesystem::path out =
        vm.count("output") ? std::filesystem::path(vm["output"].as<std::string>()) : results.dir;
    write_report(out, report, results, options);
    if (vm.count("json"))
        std::cout << report.json.dump(2) << "\n";
    else
        std::cout << "report: " << (out / "report.md").string() << " ("
                  << report.json["comparisons"].size() << " comparisons, "
                  << report.json["plots"].size() << " plots)\n";
    if (!report.problems.empty()) {
        std::cerr << "vswap: error: " << (report.complete ? "" : "incomplete report: ")
                  << report.problems.front() << "\n";
        return 1;
    }
    return 0;
}

} // namespace vswap::cli
