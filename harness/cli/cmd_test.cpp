// scripts/vswap test: build the kernels the guest tests need, then CTest.
#include "cli/options.h"
#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/kernel_build.h"
#include "host/paths.h"
#include "host/variants.h"

namespace vswap::cli {

int cmd_test(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")(
        "unit-only", "run the unit tests only (no kernel build, no guest)")(
        "kernels", po::value<std::string>()->default_value("baseline,vswap,vswap-off"),
        "kernel variants to build before the guest tests (comma-separated)")(
        "no-build", "do not build kernels; guest tests of unbuilt kernels are reported as not run")(
        "tests-regex,R", po::value<std::string>(), "only tests whose name matches (ctest -R)")(
        "label,L", po::value<std::string>(), "only tests with this label: unit or guest");
    auto vm = parse("test", args, o);
    if (vm.count("help")) {
        print_help("test [--unit-only] [--kernels LIST] [--no-build] [-R REGEX] [-L LABEL]",
                   "Builds the kernels the guest tests need (what is up to date takes seconds), "
                   "then\nruns every test through CTest: label 'unit' (GoogleTest) and 'guest' "
                   "(QEMU).\nA guest test whose kernel is not built is reported as not run.",
                   o);
        return 0;
    }
    Paths paths = project_paths();
    Progress progress;
    const bool unit_only =
        vm.count("unit-only") || (vm.count("label") && vm["label"].as<std::string>() == "unit");
    if (!unit_only && !vm.count("no-build")) {
        for (const auto& v : split(vm["kernels"].as<std::string>(), ','))
            find_variant(trim(v));
        for (const auto& v : split(vm["kernels"].as<std::string>(), ','))
            build_kernel(paths, {trim(v), 0, false}, progress);
    }
    std::vector<std::string> ctest = {"ctest", "--test-dir", paths.harness_bin().string(),
                                      "--output-on-failure", "--no-tests=error"};
    if (unit_only)
        ctest.insert(ctest.end(), {"-L", "unit"});
    else if (vm.count("label"))
        ctest.insert(ctest.end(), {"-L", vm["label"].as<std::string>()});
    if (vm.count("tests-regex"))
        ctest.insert(ctest.end(), {"-R", vm["tests-regex"].as<std::string>()});
    progress.info("running " + shell_join(ctest));
    RunOptions options;
    options.output = Output::Inherit;
    options.env = {{"VSWAP_ROOT", paths.root.string()}};
    RunResult r = run(ctest, options);
    progress.info(r.ok() ? "all tests passed" : "tests failed (" + r.describe() + ")");
    return r.ok() ? 0 : 1;
}

} // namespace vswap::cli
