// scripts/vswap run: run a matrix of kernels x backends x workloads x
// repeats, one result file per run.
#include "cli/matrix_options.h"
#include "cli/options.h"
#include "common/error.h"
#include "common/text.h"
#include "host/matrix_runner.h"

#include <iostream>

namespace vswap::cli {

int cmd_run(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")(
        "matrix", po::value<std::string>()->default_value("default"),
        "preset when --workloads/--backends are not given: default or quick");
    add_matrix_options(o, "baseline,vswap,vswap-off");
    o.add_options()("shard", po::value<std::string>()->default_value("1/1"),
                    "run shard I of N (e.g. 2/4); join the shards with 'merge'")(
        "output,o", po::value<std::string>(), "results directory (default results/DATE-KERNELS)")(
        "retry-failed", "in an existing directory, run the failed cells again")(
        "json", "print the outcome as JSON");
    auto vm = parse("run", args, o);
    if (vm.count("help")) {
        print_help(
            "run [--matrix default|quick] [--kernels LIST] [--workloads LIST --backends LIST]\n"
            "                     [--repeats N] [--mem SIZE] [--timing icount|mttcg] [--shard I/N] "
            "[-o DIR]",
            "Boots every kernel for every workload, backend and repeat, interleaving the\n"
            "kernels (A B A B ...), and writes one JSON file per run to DIR/runs/ with the\n"
            "full configuration, the kernel's .config hash and the harness version. A run\n"
            "that crashes or times out is recorded as failed with the console tail. Run it\n"
            "again on the same DIR to resume. Then: scripts/vswap report DIR.",
            o);
        return 0;
    }
    Paths paths = project_paths();
    MatrixSpec spec = matrix_from_options(vm, vm["matrix"].as<std::string>());
    RunnerSettings settings;
    settings.shard = parse_shard(vm["shard"].as<std::string>());
    settings.retry_failed = vm.count("retry-failed");
    std::string suffix = settings.shard.count > 1 ? "shard" + std::to_string(settings.shard.index) +
                                                        "of" + std::to_string(settings.shard.count)
                                                  : "";
    settings.out = vm.count("output") ? std::filesystem::path(vm["output"].as<std::string>())
                                      : default_results_dir(paths, spec.kernels, suffix);
    Progress progress;
    const size_t cells = shard_cells(expand_matrix(spec), settings.shard).size();
    progress.info("matrix " + spec.name + ": " + std::to_string(cells) + " runs (" +
                  std::to_string(spec.kernels.size()) + " kernels x " +
                  std::to_string(spec.combos.size()) + " workload/backend pairs x " +
                  std::to_string(spec.repeats) + " repeats" +
                  (settings.shard.count > 1 ? ", shard " + vm["shard"].as<std::string>() : "") +
                  ") into " + settings.out.string());
    MatrixOutcome out = run_matrix(paths, spec, settings, progress);
    nlohmann::json j = {{"results_dir", settings.out.string()},
                        {"planned", out.planned},
                        {"ran", out.ran},
                        {"kept", out.kept},
                        {"ok", out.ok},
                        {"failed", out.failed},
                        {"not_supported", out.not_supported},
                        {"seconds", out.seconds}};
    if (vm.count("json"))
        std::cout << j.dump(2) << "\n";
    progress.info(std::to_string(out.ok) + " ok, " + std::to_string(out.failed) + " failed, " +
                  std::to_string(out.not_supported) + " not supported, in " +
                  format_seconds(out.seconds) + "; report with: scripts/vswap report " +
                  settings.out.string());
    return out.failed ? 1 : 0;
}

} // namespace vswap::cli
