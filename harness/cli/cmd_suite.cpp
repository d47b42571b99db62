// scripts/vswap suite: the main job. Builds the kernels that are missing,
// runs the default matrix (or --quick) with icount timing, and writes the
// results and the report to results/<date>-<kernels>/.
#include "cli/matrix_options.h"
#include "cli/options.h"
#include "common/error.h"
#include "common/text.h"
#include "host/kernel_build.h"
#include "host/matrix_runner.h"
#include "host/report.h"
#include "host/results_dir.h"

#include <iostream>

namespace vswap::cli {

int cmd_suite(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")(
        "kernels", po::value<std::string>()->default_value("baseline,vswap,vswap-off"),
        "kernel variants to build and compare (comma-separated; baseline is the base)")(
        "quick", "the quick matrix (3 repeats, 4 workload/backend pairs): minutes")(
        "repeats", po::value<unsigned>(), "repeats (default 5, quick 3)")(
        "no-build", "do not build kernels; a kernel that is not built is an error")(
        "output,o", po::value<std::string>(), "results directory (default results/DATE-KERNELS)")(
        "fresh", "start over in an existing results directory instead of resuming it")(
        "check-report",
        "exit 0 when the report holds every comparison with data, no compared run failed and "
        "no kernel problem showed; failures of backends the base kernel lacks are only listed")(
        "skip-if-missing", "with --no-build: exit 77 (CTest: not run) when a kernel is not built")(
        "json", "print report.json");
    auto vm = parse("suite", args, o);
    if (vm.count("help")) {
        print_help(
            "suite [--quick] [--kernels LIST] [--no-build] [-o DIR] [--fresh] [--check-report] "
            "[--json]",
            "Builds the kernels that are missing or out of date, then runs the default\n"
            "matrix with icount timing and 5 repeats: usemem, swapoff, samefill and\n"
            "pageswap on zswap and disk, kbuild on zswap, and the zswap-only backend\n"
            "(vswap only). Writes every run and report.md, report.json and plots to\n"
            "results/<date>-<kernels>/. Exits 1 when a run failed or the report is\n"
            "incomplete.",
            o);
        return 0;
    }
    Paths paths = project_paths();
    Progress progress;
    const auto kernels = comma_list(vm["kernels"].as<std::string>());
    const bool quick = vm.count("quick");

    // Check the whole matrix before building anything.
    MatrixSpec spec = preset_matrix(quick ? "quick" : "default", kernels);
    if (vm.count("repeats"))
        spec.repeats = vm["repeats"].as<unsigned>();
    validate_matrix(spec);

    if (!vm.count("no-build")) {
        for (const auto& k : kernels)
            build_kernel(paths, {k, 0, false}, progress);
    } else if (vm.count("skip-if-missing")) {
        for (const auto& k : kernels) {
            if (!std::filesystem::exists(paths.kernel_image(k))) {
                std::cout << "suite: NOT RUN: kernel " << k << " is not built ("
                          << paths.kernel_image(k).string() << ")\n";
                return 77; // CTest's SKIP_RETURN_CODE
            }
        }
    }
    RunnerSettings settings;
    settings.out = vm.count("output") ? std::filesystem::path(vm["output"].as<std::string>())
                                      : default_results_dir(paths, kernels, quick ? "quick" : "");
    if (vm.count("fresh") && std::filesystem::exists(settings.out)) {
        if (!std::filesystem::exists(matrix_path(settings.out)))
            throw UserError("--fresh would delete " + settings.out.string() +
                                ", which is not a results directory (no matrix.json)",
                            "choose another directory with -o");
        std::filesystem::remove_all(settings.out);
    }
    progress.info("suite (" + spec.name + " matrix, " + std::to_string(expand_matrix(spec).size()) +
                  " runs) into " + settings.out.string());
    MatrixOutcome outcome = run_matrix(paths, spec, settings, progress);

    ResultSet results = load_results(settings.out);
    ReportOptions options;
    Report report = build_report(results, options);
    report.json["suite"] = {
        {"matrix", spec.name}, {"wall_seconds", outcome.seconds}, {"runs_booted_now", outcome.ran}};
    write_report(settings.out, report, results, options);
    if (vm.count("json")) {
        std::cout << report.json.dump(2) << "\n";
    } else {
        std::cout << "suite: " << results.runs.size() << " runs in "
                  << format_seconds(outcome.seconds)
                  << "; report: " << (settings.out / "report.md").string() << "\n";
        for (const auto& [kernel, counts] : report.json["verdict_counts"].items()) {
            std::cout << "  " << kernel << " vs " << report.json["base_kernel"].get<std::string>()
                      << ":";
            for (const auto& [verdict, n] : counts.items())
                std::cout << " " << n.get<unsigned>() << " " << verdict << ",";
            std::cout << "\n";
        }
    }
    if (vm.count("check-report")) {
        auto gaps = comparison_gaps(report.json);
        for (const auto& p : report.problems)
            std::cerr << "vswap: " << (gaps.empty() ? "note: " : "error: ") << p << "\n";
        for (const auto& g : gaps)
            std::cerr << "vswap: error: " << g << "\n";
        std::cout << "suite: report check: " << report.json["comparisons"].size() << " of "
                  << report.json["comparisons_expected"] << " comparisons, "
                  << (gaps.empty() ? "complete" : std::to_string(gaps.size()) + " gap(s)") << "\n";
        return gaps.empty() ? 0 : 1;
    }
    for (const auto& p : report.problems)
        std::cerr << "vswap: error: " << p << "\n";
    return report.problems.empty() ? 0 : 1;
}

} // namespace vswap::cli
