#include "host/kernel_build.h"

#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/git.h"
#include "host/kernel_config.h"
#include "host/kernel_source.h"
#include "host/patch_series.h"
#include "host/variants.h"

#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace vswap {
namespace fs = std::filesystem;

std::vector<std::string> make_argv(const fs::path& tree, const fs::path& obj) {
    std::vector<std::string> argv = {"make", "-C", tree.string(), "O=" + obj.string(),
                                     "ARCH=x86_64"};
    if (program_in_path("ccache"))
        argv.push_back("CC=ccache gcc");
    return argv;
}

RunOptions make_options(const Paths& paths) {
    RunOptions options;
    options.env = {{"CCACHE_DIR", (paths.build() / "ccache").string()},
                   {"CCACHE_MAXSIZE", "8G"},
                   {"KBUILD_BUILD_TIMESTAMP", "2000-01-01"},
                   {"KBUILD_BUILD_USER", "vswap"},
                   {"KBUILD_BUILD_HOST", "vswap"},
                   {"LC_ALL", "C"}};
    return options;
}

namespace {

// Bump when the way a kernel is configured or built changes.
constexpr const char* kBuildRecipe = "recipe-1";

struct Inputs {
    std::string tree_state; // HEAD and the hash of uncommitted changes
    std::string fragments;  // concatenated fragment contents
    std::string stamp() const {
        return content_hash(std::string(kBuildRecipe) + "\n" + tree_state + "\n" + fragments);
    }
};

Inputs collect_inputs(const Paths& paths, const Variant& variant, const fs::path& tree,
                      std::vector<ConfigSetting>& settings) {
    Inputs inputs;
    for (const auto& fragment : variant.fragments) {
        fs::path file = paths.root / fragment;
        auto text = read_file_if_exists(file);
        if (!text)
            throw UserError("config fragment " + fragment.string() + " is missing",
                            "restore it from git");
        inputs.fragments += "## " + fragment.string() + "\n" + *text;
        auto parsed = parse_config(*text, fragment.string());
        settings.insert(settings.end(), parsed.begin(), parsed.end());
    }
    std::string head = git_rev(tree, "HEAD");
    std::string dirty = git(tree, {"status", "--porcelain"}).output;
    if (!dirty.empty())
        dirty += git(tree, {"diff", "HEAD"}).output;
    inputs.tree_state = head + " " + content_hash(dirty);
    return inputs;
}

void configure(const Paths& paths, const Variant& variant, const fs::path& tree,
               const fs::path& obj, const std::vector<ConfigSetting>& settings,
               Progress& progress) {
    progress.info("configuring " + variant.name + ": tinyconfig + " + [&] {
        std::string list;
        for (const auto& f : variant.fragments)
            list += (list.empty() ? "" : " + ") + f.string();
        return list;
    }());
    auto argv = make_argv(tree, obj);
    RunOptions options = make_options(paths);
    auto with = [&](std::vector<std::string> extra) {
        auto a = argv;
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    run_checked(with({"-s", "tinyconfig"}), options);
    fs::copy_file(obj / ".config", obj / "tinyconfig.base", fs::copy_options::overwrite_existing);
    std::vector<std::string> merge = {(tree / "scripts/kconfig/merge_config.sh").string(), "-m",
                                      "-O", obj.string(), (obj / "tinyconfig.base").string()};
    for (const auto& f : variant.fragments)
        merge.push_back((paths.root / f).string());
    RunOptions merge_options = options;
    merge_options.cwd = tree;
    run_checked(merge, merge_options);
    run_checked(with({"-s", "olddefconfig"}), options);

    auto mismatches = check_config(merge_settings(settings), read_file(obj / ".config"));
    if (!mismatches.empty()) {
        std::string list;
        for (const auto& m : mismatches)
            list += "\n  " + m.describe();
        throw UserError("the " + variant.name + " kernel config lacks " +
                            std::to_string(mismatches.size()) +
                            " option(s) its fragments ask for:" + list,
                        "add the missing dependencies to the fragment, or drop the option "
                        "(final config: " +
                            (obj / ".config").string() + ")");
    }
}

// The lines of a failed build log most likely to explain it.
std::string build_errors(const std::string& log) {
    std::string errors;
    int count = 0;
    for (const auto& line : split_lines(log)) {
        if ((line.find("error:") != std::string::npos ||
             line.find("Error ") != std::string::npos) &&
            count++ < 12)
            errors += "\n  " + line;
    }
    return errors.empty() ? "\n" + last_lines(log, 20) : errors;
}

void compile(const Paths& paths, const Variant& variant, const fs::path& tree, const fs::path& obj,
             unsigned jobs, Progress& progress) {
    auto argv = make_argv(tree, obj);
    argv.push_back("-j" + std::to_string(jobs));
    argv.push_back("bzImage");
    RunOptions options = make_options(paths);
    options.output = Output::File;
    options.output_file = obj / "build.log";
    progress.info("compiling " + variant.name + " with " + std::to_string(jobs) +
                  " jobs (log: " + options.output_file.string() + ")");
    Child make(argv, options);
    // Count compiled files as the log grows, for the progress line.
    std::ifstream log;
    std::string partial;
    size_t compiled = 0;
    std::optional<ExitStatus> status;
    while (!(status = make.poll())) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (!log.is_open())
            log.open(options.output_file);
        std::string line;
        while (std::getline(log, line)) {
            if (log.eof()) { // an incomplete last line: finish it next time
                partial += line;
                break;
            }
            line = partial + line;
            partial.clear();
            compiled += line.starts_with("  CC ") || line.starts_with("  AS ");
        }
        log.clear();
        progress.status("compiling " + variant.name + ": " + std::to_string(compiled) +
                        " files compiled");
    }
    progress.end_status();
    if (!status->ok())
        throw UserError("building the " + variant.name + " kernel failed (" + status->describe() +
                            "):" + build_errors(read_file(options.output_file)),
                        "full log: " + options.output_file.string());
}

} // namespace

fs::path variant_tree(const Paths& paths, const std::string& variant) {
    return find_variant(variant).with_series ? paths.series_tree() : paths.baseline_tree();
}

BuildResult build_kernel(const Paths& paths, const BuildOptions& options, Progress& progress) {
    const Variant& variant = find_variant(options.variant);
    const auto start = std::chrono::steady_clock::now();
    if (variant.with_series)
        ensure_series(paths, progress);
    else
        ensure_baseline_tree(paths, progress);
    const fs::path tree = variant_tree(paths, variant.name);
    const fs::path obj = paths.obj(variant.name);
    const fs::path out = paths.kernel_dir(variant.name);

    std::vector<ConfigSetting> settings;
    Inputs inputs = collect_inputs(paths, variant, tree, settings);
    const std::string stamp = inputs.stamp();
    BuildResult result{out / "bzImage", false, 0};
    if (!options.force && fs::exists(result.image) &&
        trim(read_file_if_exists(out / "stamp").value_or("")) == stamp) {
        progress.info("kernel " + variant.name + " is up to date: " + result.image.string());
        return result;
    }

    fs::create_directories(obj);
    configure(paths, variant, tree, obj, settings, progress);
    unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    compile(paths, variant, tree, obj, jobs, progress);

    // Install: image and config first, the stamp last, so an interrupted
    // install is redone by the next build.
    fs::create_directories(out);
    fs::remove(out / "stamp");
    fs::copy_file(obj / "arch/x86/boot/bzImage", out / "bzImage.tmp",
                  fs::copy_options::overwrite_existing);
    fs::rename(out / "bzImage.tmp", out / "bzImage");
    fs::copy_file(obj / ".config", out / ".config", fs::copy_options::overwrite_existing);
    result.rebuilt = true;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json info = {{"variant", variant.name},
                           {"description", variant.description},
                           {"tree", tree.string()},
                           {"tree_state", inputs.tree_state},
                           {"config_hash", content_hash(read_file(out / ".config"))},
                           {"build_seconds", result.seconds},
                           {"built_at", std::time(nullptr)}};
    write_file_atomic(out / "build-info.json", info.dump(2) + "\n");
    write_file_atomic(out / "stamp", stamp + "\n");
    progress.info("built " + variant.name + " in " + format_seconds(result.seconds) + ": " +
                  result.image.string());
    return result;
}

} // namespace vswap
