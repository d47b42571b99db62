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

// An object tree configured like `variant`'s, plus the options whose swap
// code the guests do not build: hibernation, cgroup v1 memory accounting
// and memory failure (hwpoison entries).
fs::path configure_obj(const Paths& paths, const fs::path& tree, const std::string& variant) {
    const fs::path config = paths.obj(variant) / ".config";
    if (!fs::exists(config))
        throw UserError("no " + config.string() + ": the bisect compiles with the " + variant +
                            " kernel's configuration",
                        "build it first: scripts/vswap kernel build vswap vswap-off");
    const fs::path obj = paths.build() / "obj" / ("bisect-" + variant);
    fs::create_directories(obj);
    fs::copy_file(config, obj / ".config", fs::copy_options::overwrite_existing);
    run_checked({(tree / "scripts" / "config").string(), "--file", (obj / ".config").string(),
                 "--enable", "PM", "--enable", "HIBERNATION", "--enable", "MEMCG_V1", "--enable",
                 "MEMORY_FAILURE"});
    auto argv = make_argv(tree, obj);
    argv.push_back("olddefconfig");
    run_checked(argv, make_options(paths));
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
    std::vector<fs::path> objs;
    for (const auto& v : variants)
        objs.push_back(configure_obj(paths, tree, v));
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
            auto argv = make_argv(tree, objs[k]);
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
