#include "host/series_bisect.h"

#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/git.h"
#include "host/kernel_build.h"
#include "host/kernel_source.h"
#include "host/patch_series.h"

#include <chrono>
#include <thread>

namespace vswap {
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A scratch worktree at the base commit, with nothing left from a last run.
fs::path fresh_worktree(const Paths& paths) {
    const fs::path tree = paths.build() / "src" / "bisect";
    const fs::path repo = paths.series_tree();
    if (fs::exists(tree / ".git")) {
        git_try(tree, {"am", "--abort"});
        git(tree, {"checkout", "-q", "--detach", "-f", kBaseTag});
        git(tree, {"clean", "-q", "-fdx"});
    } else {
        git_try(repo, {"worktree", "prune"});
        git(repo, {"worktree", "add", "-q", "--detach", tree.string(), kBaseTag});
    }
    return tree;
}

// Options the guest kernels leave out but whose swap code each patch must
// still build: hibernation's slots, cgroup v1 swap accounting, hwpoison
// entries (MEMORY_FAILURE needs X86_MCE).
const std::vector<std::string> kExtraOptions = {"PM", "HIBERNATION", "MEMCG_V1", "X86_MCE",
                                                "MEMORY_FAILURE"};

// The line `.config` has for `option` ("CONFIG_X=y", "# CONFIG_X is not set"),
// or "" when it has none.
std::string config_line(const std::string& config, const std::string& option) {
    for (const auto& line : split_lines(config))
        if (line.rfind("CONFIG_" + option + "=", 0) == 0 ||
            line == "# CONFIG_" + option + " is not set")
            return line;
    return "";
}

// Configures `variant`'s object tree for the tree as it is now (after the
// patches applied so far): the variant kernel's .config plus kExtraOptions,
// through olddefconfig. Redone after every patch, so that a symbol a patch
// adds (CONFIG_VIRTUAL_SWAP) takes the variant's value, not its default;
// throws when the result does not say what the variant asks for.
fs::path configure_obj(const Paths& paths, const fs::path& tree, const std::string& variant) {
    const fs::path variant_config = paths.obj(variant) / ".config";
    if (!fs::exists(variant_config))
        throw UserError("no " + variant_config.string() + ": the bisect compiles with the " +
                            variant + " kernel's configuration",
                        "build it first: scripts/vswap kernel build vswap vswap-off");
    const fs::path obj = paths.build() / "obj" / ("bisect-" + variant);
    fs::create_directories(obj);
    fs::copy_file(variant_config, obj / ".config", fs::copy_options::overwrite_existing);
    std::vector<std::string> enable = {(tree / "scripts" / "config").string(), "--file",
                                       (obj / ".config").string()};
    for (const auto& option : kExtraOptions)
        enable.insert(enable.end(), {"--enable", option});
    run_checked(enable);
    auto argv = make_argv(tree, obj);
    argv.push_back("olddefconfig");
    run_checked(argv, make_options(paths));

    const std::string wanted = read_file(variant_config);
    const std::string got = read_file(obj / ".config");
    const bool tree_knows_vswap =
        read_file(tree / "mm" / "Kconfig").find("\nconfig VIRTUAL_SWAP\n") != std::string::npos;
    if (tree_knows_vswap && config_line(got, "VIRTUAL_SWAP") != config_line(wanted, "VIRTUAL_SWAP"))
        throw UserError("the bisect's " + variant + " configuration says '" +
                            config_line(got, "VIRTUAL_SWAP") + "' where the " + variant +
                            " kernel says '" + config_line(wanted, "VIRTUAL_SWAP") + "'",
                        "rebuild the kernel: scripts/vswap kernel build " + variant);
    for (const auto& option : kExtraOptions)
        if (config_line(got, option) != "CONFIG_" + option + "=y")
            throw UserError(
                "olddefconfig dropped CONFIG_" + option + " from the bisect's " + variant +
                    " configuration (an unmet dependency)",
                "add the dependency to kExtraOptions in harness/host/series_bisect.cpp");
    return obj;
}

} // namespace

const std::vector<std::string>& bisect_targets() {
    static const std::vector<std::string> targets = {"mm/", "kernel/power/"};
    return targets;
}

std::vector<BisectStep> bisect_series(const Paths& paths, unsigned jobs, Progress& progress) {
    const auto series = read_series(paths);
    if (!fs::exists(paths.series_tree() / ".git"))
        throw UserError("no kernel tree in " + paths.series_tree().string(),
                        "run scripts/vswap kernel source first");
    const fs::path tree = fresh_worktree(paths);
    const std::vector<std::string> variants = {"vswap", "vswap-off"};
    if (jobs == 0)
        jobs = std::max(1u, std::thread::hardware_concurrency());

    std::vector<BisectStep> steps;
    for (size_t i = 0; i < series.size(); ++i) {
        const std::string& patch = series[i];
        auto am = git_try(tree, {"am", "-q", "--3way", (paths.patches() / patch).string()});
        if (!am.ok()) {
            git_try(tree, {"am", "--abort"});
            steps.push_back(
                {patch, "", false, 0, "does not apply: " + trim(last_lines(am.output, 3))});
            break;
        }
        for (size_t k = 0; k < variants.size(); ++k) {
            progress.status("[" + std::to_string(i + 1) + "/" + std::to_string(series.size()) +
                            "] " + patch + ": building " + variants[k]);
            const auto start = std::chrono::steady_clock::now();
            const fs::path obj = configure_obj(paths, tree, variants[k]);
            auto argv = make_argv(tree, obj);
            argv.push_back("-j" + std::to_string(jobs));
            for (const auto& t : bisect_targets())
                argv.push_back(t);
            RunOptions options = make_options(paths);
            auto r = run(argv, options);
            BisectStep step{patch, variants[k], r.ok(), seconds_since(start), ""};
            if (!r.ok()) {
                std::string errors;
                for (const auto& line : split_lines(r.output))
                    if (line.find("error") != std::string::npos)
                        errors += line + "\n";
                step.error = trim(errors.empty() ? last_lines(r.output, 5) : last_lines(errors, 5));
            }
            progress.end_status();
            progress.info(patch + " (" + variants[k] + "): " + (step.ok ? "builds" : "FAILS") +
                          " in " + std::to_string(static_cast<int>(step.seconds)) + " s");
            steps.push_back(step);
        }
    }
    return steps;
}

} // namespace vswap
