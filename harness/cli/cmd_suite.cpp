// scripts/vswap suite: the main job. For now: build baseline and vswap, run
// the smoke test on both, and write a report under results/.
#include "cli/options.h"
#include "common/error.h"
#include "common/text.h"
#include "host/boot.h"
#include "host/kernel_build.h"
#include "host/paths.h"
#include "host/smoke.h"
#include "host/variants.h"

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

namespace vswap::cli {

int cmd_suite(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")(
        "kernels", po::value<std::string>()->default_value("baseline,vswap"),
        "kernel variants to build and test (comma-separated)")(
        "output,o", po::value<std::string>(),
        "report directory (default results/DATE-KERNELS)")("json", "print the report as JSON");
    auto vm = parse("suite", args, o);
    if (vm.count("help")) {
        print_help("suite [--kernels LIST] [-o DIR] [--no-build] [--json]",
                   "Builds the kernels that are missing or out of date, boots each one, runs the\n"
                   "smoke test and writes report.md and report.json under results/.",
                   o);
        return 0;
    }
    Paths paths = project_paths();
    Progress progress;
    std::vector<std::string> kernels;
    for (const auto& v : split(vm["kernels"].as<std::string>(), ','))
        kernels.push_back(find_variant(trim(v)).name);

    std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d-%H%M", std::localtime(&now));
    std::string name = date;
    for (const auto& k : kernels)
        name += "-" + k;
    std::filesystem::path out = vm.count("output")
                                    ? std::filesystem::path(vm["output"].as<std::string>())
                                    : paths.results() / name;

    nlohmann::json report = {{"harness_version", VSWAP_HARNESS_VERSION},
                             {"date", date},
                             {"kernels", nlohmann::json::array()}};
    std::string md = "# vswap suite: " + std::string(date) +
                     "\n\n"
                     "| kernel | build | smoke test | time | details |\n"
                     "|---|---|---|---|---|\n";
    bool all_passed = true;
    for (const auto& kernel : kernels) {
        BuildResult build;
        if (vm.count("no-build"))
            build.image = paths.kernel_image(kernel);
        else
            build = build_kernel(paths, {kernel, 0, false}, progress);
        progress.info("smoke test on " + kernel);
        BootRequest request = smoke_request(paths, kernel);
        request.stream = false;
        BootResult result = boot_guest(paths, request, progress);
        auto failure = result.failure();
        std::string verdict = result.passed() ? "pass" : "FAIL";
        std::string details = failure ? *failure : trim(last_lines(result.stdout_text, 1));
        if (!failure && !result.passed())
            details = "exit status " + std::to_string(*result.exit_status) + ": " +
                      trim(last_lines(result.stdout_text + result.stderr_text, 3));
        all_passed &= result.passed();
        progress.info("smoke test on " + kernel + ": " + verdict + " (" +
                      format_seconds(result.seconds) + ")");
        auto config_hash = content_hash(read_file(paths.kernel_dir(kernel) / ".config"));
        report["kernels"].push_back({{"kernel", kernel},
                                     {"config_hash", config_hash},
                                     {"build_seconds", build.seconds},
                                     {"rebuilt", build.rebuilt},
                                     {"smoke", result}});
        md += "| " + kernel + " | " +
              (build.rebuilt ? format_seconds(build.seconds) : "up to date") + " | " + verdict +
              " | " + format_seconds(result.seconds) + " | " + details + " |\n";
    }
    report["passed"] = all_passed;
    write_file_atomic(out / "report.json", report.dump(2) + "\n");
    write_file_atomic(out / "report.md", md);
    if (vm.count("json"))
        std::cout << report.dump(2) << "\n";
    else
        std::cout << md;
    progress.info("report written to " + out.string());
    return all_passed ? 0 : 1;
}

} // namespace vswap::cli
