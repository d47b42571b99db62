// scripts/vswap test: build the kernels the guest tests need, then CTest.
// With --guest-suite, --selftests or --stress it runs those correctness
// runs directly on the named kernels and tabulates them; --compare and
// --result read the saved runs (build/test-results/) without booting.
#include "cli/options.h"
#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/debug_stress.h"
#include "host/guest_suite.h"
#include "host/hibernate_cycle.h"
#include "host/kernel_build.h"
#include "host/paths.h"
#include "host/selftests.h"
#include "host/test_results.h"
#include "host/variants.h"

#include <filesystem>
#include <functional>
#include <iostream>

namespace vswap::cli {
namespace {

constexpr int kExitNotRun = 77; // CTest's SKIP_RETURN_CODE

std::vector<std::string> list_option(const po::variables_map& vm, const char* name) {
    std::vector<std::string> items;
    if (!vm.count(name))
        return items;
    for (const auto& v : vm[name].as<std::vector<std::string>>())
        for (const auto& part : split(v, ','))
            if (!trim(part).empty())
                items.push_back(trim(part));
    return items;
}

// The kernels a run mode works on: --kernel, or the given default.
std::vector<std::string> kernels_of(const po::variables_map& vm,
                                    const std::vector<std::string>& fallback) {
    auto kernels = list_option(vm, "kernel");
    if (kernels.empty())
        kernels = fallback;
    for (const auto& k : kernels)
        find_variant(k);
    return kernels;
}

// Builds (unless --no-build) and checks the images; returns the kernels
// that can run. With --skip-if-missing a missing image is left out (and
// reported), otherwise it is an error.
std::vector<std::string> runnable_kernels(const Paths& paths, const po::variables_map& vm,
                                          const std::vector<std::string>& kernels,
                                          Progress& progress) {
    std::vector<std::string> runnable;
    for (const auto& k : kernels) {
        if (!vm.count("no-build") && !vm.count("skip-if-missing"))
            build_kernel(paths, {k, 0, false}, progress);
        if (std::filesystem::exists(paths.kernel_image(k))) {
            runnable.push_back(k);
            continue;
        }
        // Results of an image that is gone must not be compared later.
        std::filesystem::remove(test_run_path(paths, k, "guest-suite"));
        std::filesystem::remove(test_run_path(paths, k, "selftests"));
        std::filesystem::remove(test_run_path(paths, k, "stress"));
        std::filesystem::remove(test_run_path(paths, k, kHibernateKind));
        if (!vm.count("skip-if-missing"))
            throw UserError("kernel '" + k + "' is not built (" + paths.kernel_image(k).string() +
                                ")",
                            "run 'scripts/vswap kernel build " + k + "'");
        std::cout << "NOT RUN on " << k << ": kernel " << k << " is not built ("
                  << paths.kernel_image(k).string() << ")\n";
    }
    return runnable;
}

void print_runs(const std::vector<TestRun>& runs, bool full_table) {
    if (runs.empty())
        return;
    std::cout << "\n" << render_summary(runs) << "\n";
    std::cout << (full_table ? render_results_table(runs, false)
                             : render_results_table(runs, true));
    for (const auto& r : runs)
        for (const auto& s : r.splats)
            std::cout << "splat on " << r.kernel << ": " << s << "\n";
}

// Regressions of every kernel against the first; prints them, returns the count.
size_t report_regressions(const std::vector<TestRun>& runs) {
    size_t total = 0;
    for (size_t i = 1; i < runs.size(); ++i) {
        auto regressions = find_regressions(runs[0], runs[i]);
        total += regressions.size();
        std::cout << "\n"
                  << runs[i].kernel << " vs " << runs[0].kernel << " (" << runs[i].kind << "): ";
        if (regressions.empty()) {
            std::cout << "passes everything " << runs[0].kernel << " passes\n";
            continue;
        }
        std::cout << regressions.size() << " test(s) that " << runs[0].kernel
                  << " passes do not pass:\n";
        for (const auto& r : regressions)
            std::cout << "  " << r.test << ": " << r.candidate_result
                      << (r.reason.empty() ? "" : " (" + r.reason + ")") << "\n";
    }
    return total;
}

int finish_runs(const std::vector<TestRun>& runs, const po::variables_map& vm, bool failures_fail) {
    if (vm.count("json")) {
        std::cout << nlohmann::json(runs).dump(2) << "\n";
    } else {
        print_runs(runs, vm.count("full-table"));
        if (runs.size() > 1)
            report_regressions(runs);
    }
    if (runs.empty())
        return kExitNotRun;
    for (const auto& r : runs)
        if (!r.error.empty() || (failures_fail && r.count("fail")))
            return 1;
    return 0;
}

// Runs `one` on each kernel of --kernel (default baseline, vswap-off,
// vswap), with a line on how each went.
std::vector<TestRun> run_on_kernels(const Paths& paths, const po::variables_map& vm,
                                    Progress& progress,
                                    const std::function<TestRun(const std::string&)>& one) {
    auto kernels =
        runnable_kernels(paths, vm, kernels_of(vm, {"baseline", "vswap-off", "vswap"}), progress);
    std::vector<TestRun> runs;
    for (const auto& k : kernels) {
        runs.push_back(one(k));
        const TestRun& r = runs.back();
        progress.info(k + ": " + std::to_string(r.count("pass")) + " passed, " +
                      std::to_string(r.count("fail")) + " failed in " + format_seconds(r.seconds) +
                      (r.error.empty() ? "" : " (" + r.error + ")"));
    }
    return runs;
}

int run_guest_suites(const Paths& paths, const po::variables_map& vm, Progress& progress) {
    auto runs = run_on_kernels(paths, vm, progress, [&](const std::string& k) {
        return run_guest_suite(paths, k, list_option(vm, "only"), !vm.count("json"), progress);
    });
    return finish_runs(runs, vm, true);
}

int run_kernel_selftests(const Paths& paths, const po::variables_map& vm, Progress& progress) {
    auto runs = run_on_kernels(paths, vm, progress, [&](const std::string& k) {
        return run_selftests(paths, k, !vm.count("json"), progress);
    });
    // A selftest that fails here may fail on baseline too: the verdict is
    // the comparison (--compare), so only a broken run fails this step.
    int code = finish_runs(runs, vm, false);
    if (code == 0)
        for (const auto& r : runs)
            if (r.count("fail"))
                std::cout << r.kernel << ": " << r.count("fail")
                          << " selftest(s) failed; 'test --compare --kind selftests' says "
                             "whether baseline fails them too\n";
    return code;
}

int run_stress(const Paths& paths, const po::variables_map& vm, Progress& progress) {
    double minutes = vm["minutes"].as<double>();
    if (vm.count("quick"))
        minutes = kQuickStressMinutes;
    if (minutes <= 0)
        throw UserError("--minutes must be positive", "e.g. --minutes 10");
    auto kernels = runnable_kernels(paths, vm, kernels_of(vm, {"debug"}), progress);
    std::vector<TestRun> runs;
    for (const auto& k : kernels) {
        runs.push_back(run_debug_stress(paths, k, minutes, !vm.count("json"), progress));
        if (!vm.count("json"))
            std::cout << "\ndebug stress on " << k << ":\n" << describe_stress(runs.back());
    }
    if (vm.count("json"))
        std::cout << nlohmann::json(runs).dump(2) << "\n";
    if (runs.empty())
        return kExitNotRun;
    for (const auto& r : runs)
        if (!r.passed())
            return 1;
    return 0;
}

int run_hibernate_cycles(const Paths& paths, const po::variables_map& vm, Progress& progress) {
    auto runs = run_on_kernels(paths, vm, progress, [&](const std::string& k) {
        return run_hibernate_cycle(paths, k, !vm.count("json"), progress);
    });
    return finish_runs(runs, vm, true);
}

std::vector<std::string> kinds_of(const po::variables_map& vm) {
    auto kinds = list_option(vm, "kind");
    if (kinds.empty())
        kinds = {"guest-suite", "selftests"};
    for (const auto& k : kinds)
        if (k != "guest-suite" && k != "selftests" && k != "stress" && k != kHibernateKind)
            throw UserError("unknown --kind '" + k + "'",
                            "use guest-suite, selftests, stress or hibernate");
    return kinds;
}

int compare_saved(const Paths& paths, const po::variables_map& vm) {
    auto kernels = kernels_of(vm, {"baseline", "vswap-off", "vswap"});
    size_t regressions = 0, compared = 0;
    for (const auto& kind : kinds_of(vm)) {
        std::vector<TestRun> runs;
        for (const auto& k : kernels) {
            if (auto run = load_test_run(paths, k, kind))
                runs.push_back(*run);
            else
                std::cout << "NOT RUN: no saved " << kind << " results for " << k << " ("
                          << test_run_path(paths, k, kind).string() << ")\n";
        }
        if (runs.empty() || runs[0].kernel != kernels[0]) {
            std::cout << kind << ": nothing to compare against " << kernels[0] << "\n";
            continue;
        }
        std::cout << "\n## " << kind << "\n";
        for (const auto& r : runs)
            if (!r.image_hash.empty() && r.image_hash != kernel_image_hash(paths, r.kernel))
                std::cout << "note: the " << r.kernel << " results (" << r.when
                          << ") are from an older build of that kernel\n";
        print_runs(runs, vm.count("full-table"));
        for (const auto& r : runs)
            if (!r.error.empty())
                std::cout << r.kernel << " run error: " << r.error << "\n";
        regressions += report_regressions(runs);
        compared += runs.size() > 1;
    }
    if (compared == 0)
        return kExitNotRun;
    return regressions ? 1 : 0;
}

// The saved result of one test: 0 pass, 1 fail, 77 skipped or not run.
int saved_result(const Paths& paths, const po::variables_map& vm) {
    const std::string name = vm["result"].as<std::string>();
    auto kernels = kernels_of(vm, {});
    auto kinds = kinds_of(vm);
    if (kernels.size() != 1 || kinds.size() != 1)
        throw UserError("--result needs exactly one --kernel and one --kind",
                        "e.g. --result stress.failslab --kernel debug --kind stress");
    auto run = load_test_run(paths, kernels[0], kinds[0]);
    if (!run) {
        std::cout << name << ": NOT RUN: no saved " << kinds[0] << " results for " << kernels[0]
                  << "\n";
        return kExitNotRun;
    }
    const TestRecord* r = run->find(name);
    if (!r) {
        std::cout << name << ": NOT RUN: not in the " << kinds[0] << " run of " << run->when
                  << (run->error.empty() ? "" : " (" + run->error + ")") << "\n";
        return run->error.empty() ? kExitNotRun : 1;
    }
    std::cout << name << " on " << kernels[0] << " (" << run->when << "): " << r->result
              << (r->reason.empty() ? "" : " — " + r->reason) << "\n";
    if (run->figures.contains(name))
        std::cout << run->figures[name].dump(2) << "\n";
    if (r->result == "pass")
        return run->error.empty() ? 0 : 1;
    return r->result == "fail" ? 1 : kExitNotRun;
}

} // namespace

int cmd_test(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")(
        "unit-only", "run the unit tests only (no kernel build, no guest)")(
        "kernels", po::value<std::string>()->default_value("baseline,vswap,vswap-off"),
        "kernel variants to build before the guest tests (comma-separated)")(
        "no-build", "do not build kernels; guest tests of unbuilt kernels are reported as not run")(
        "tests-regex,R", po::value<std::string>(), "only tests whose name matches (ctest -R)")(
        "label,L", po::value<std::string>(), "only tests with this label: unit or guest");
    po::options_description runs("correctness runs (instead of CTest)");
    runs.add_options()("guest-suite", "run the guest functional suite on --kernel")(
        "selftests", "run the kernel's selftests (mm/cow, cgroup/test_zswap, "
                     "cgroup/test_memcontrol) on --kernel")(
        "stress", "run the debug stress (stress-ng, usemem, swapoff loop; then failslab)")(
        "hibernate", "hibernate with pages swapped out, restore in a second boot, verify "
                     "every page (on --kernel)")(
        "compare",
        "tabulate the saved runs of --kernel (the first is the base) and fail on "
        "regressions")("result", po::value<std::string>(),
                       "print the saved result of one test; exit 0 pass, 1 fail, 77 not run")(
        "kernel,k", po::value<std::vector<std::string>>()->composing(),
        "kernel variant(s), comma-separated or repeated (default: baseline,vswap-off,vswap; "
        "debug for --stress)")("only", po::value<std::vector<std::string>>()->composing(),
                               "guest suite: only these tests (names or patterns)")(
        "minutes", po::value<double>()->default_value(kDefaultStressMinutes),
        "stress: how long the plain stress runs (failslab runs half as long)")(
        "quick", "stress: 2 minutes (what CTest runs)")(
        "kind", po::value<std::vector<std::string>>()->composing(),
        "compare/result: guest-suite, selftests, stress or hibernate")(
        "skip-if-missing", "exit 77 (CTest: not run) for kernels that are not built; builds none")(
        "full-table",
        "print every test, not only those that differ or fail")("json", "print the runs as JSON");
    o.add(runs);
    auto vm = parse("test", args, o);
    if (vm.count("help")) {
        print_help("test [--unit-only] [--kernels LIST] [--no-build] [-R REGEX] [-L LABEL]\n"
                   "       test --guest-suite [--kernel K,...] [--only TESTS] [--no-build]\n"
                   "       test --selftests [--kernel K,...] [--no-build]\n"
                   "       test --stress [--minutes N | --quick] [--kernel debug] [--no-build]\n"
                   "       test --hibernate [--kernel K,...] [--no-build]\n"
                   "       test --compare [--kernel BASE,K,...] [--kind guest-suite,selftests]\n"
                   "       test --result TEST --kernel K --kind KIND",
                   "Builds the kernels the guest tests need (what is up to date takes seconds), "
                   "then\nruns every test through CTest: label 'unit' (GoogleTest) and 'guest' "
                   "(QEMU).\nA guest test whose kernel is not built is reported as not run.\n\n"
                   "--guest-suite, --selftests, --stress and --hibernate boot the kernels, print a "
                   "table\nper test and kernel, and save each run in build/test-results/KERNEL/. "
                   "--compare\nreads those runs: every kernel must pass what the first passes.",
                   o);
        return 0;
    }
    Paths paths = project_paths();
    Progress progress;
    const int modes = int(vm.count("guest-suite")) + int(vm.count("selftests")) +
                      int(vm.count("stress")) + int(vm.count("hibernate")) +
                      int(vm.count("compare")) + int(vm.count("result"));
    if (modes > 1)
        throw UserError("--guest-suite, --selftests, --stress, --hibernate, --compare and "
                        "--result are separate runs",
                        "give one of them");
    if (vm.count("guest-suite"))
        return run_guest_suites(paths, vm, progress);
    if (vm.count("selftests"))
        return run_kernel_selftests(paths, vm, progress);
    if (vm.count("stress"))
        return run_stress(paths, vm, progress);
    if (vm.count("hibernate"))
        return run_hibernate_cycles(paths, vm, progress);
    if (vm.count("compare"))
        return compare_saved(paths, vm);
    if (vm.count("result"))
        return saved_result(paths, vm);

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
