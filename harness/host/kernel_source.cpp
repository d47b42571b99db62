#include "host/kernel_source.h"

#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/git.h"

#include <chrono>
#include <ctime>
#include <regex>

namespace vswap {
namespace fs = std::filesystem;
namespace {

std::string timestamp() {
    std::time_t now = std::time(nullptr);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", std::localtime(&now));
    return buffer;
}

// Debian's tarball ignores everything at the top level (for its packaging
// repository); without dropping that, git would see no file at all.
void drop_debian_ignore(const fs::path& tree) {
    fs::path ignore = tree / ".gitignore";
    auto content = read_file_if_exists(ignore);
    if (!content)
        return;
    std::string kept;
    for (const auto& line : split_lines(*content)) {
        if (line == "/*" || line == "!/debian/")
            continue;
        kept += line + "\n";
    }
    if (kept != *content)
        write_file_atomic(ignore, kept);
}

void unpack_into(const fs::path& staging, const SourceOptions& options, Progress& progress) {
    fs::create_directories(staging);
    if (options.tree) {
        if (!fs::exists(*options.tree / "Makefile"))
            throw UserError("--tree " + options.tree->string() +
                                " is not a kernel tree (no Makefile)",
                            "point --tree at the top of a Linux source tree");
        progress.info("copying " + options.tree->string());
        run_checked({"sh", "-c", "tar -C \"$0\" --exclude=./.git -cf - . | tar -C \"$1\" -xf -",
                     options.tree->string(), staging.string()});
        return;
    }
    fs::path tarball = options.tarball ? *options.tarball : fs::path(kDebianKernelTarball);
    if (!fs::exists(tarball)) {
        if (options.tarball)
            throw UserError("kernel tarball " + tarball.string() + " does not exist",
                            "check the path given to --tarball");
        throw UserError("kernel source not found: " + tarball.string(),
                        "run scripts/vswap as root so it installs linux-source-6.12, or pass "
                        "--tree DIR or --tarball FILE");
    }
    progress.info("unpacking " + tarball.string());
    run_checked({"tar", "-xf", tarball.string(), "-C", staging.string(), "--strip-components=1"},
                {}, "check that " + tarball.string() + " is a complete kernel tarball");
}

} // namespace

std::string tree_version(const fs::path& tree) {
    auto makefile = read_file_if_exists(tree / "Makefile");
    if (!makefile)
        throw UserError(tree.string() + " has no top-level Makefile", "is it a kernel tree?");
    std::string version, patchlevel, sublevel;
    for (const auto& line : split_lines(*makefile)) {
        std::smatch m;
        static const std::regex re(R"(^(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\S*)\s*$)");
        if (std::regex_match(line, m, re)) {
            if (m[1] == "VERSION")
                version = m[2];
            else if (m[1] == "PATCHLEVEL")
                patchlevel = m[2];
            else
                sublevel = m[2];
        }
        if (!version.empty() && !patchlevel.empty() && !sublevel.empty())
            break;
    }
    if (version.empty() || patchlevel.empty())
        throw UserError("cannot read the kernel version from " + (tree / "Makefile").string());
    return version + "." + patchlevel + (sublevel.empty() ? "" : "." + sublevel);
}

void prepare_kernel_source(const Paths& paths, const SourceOptions& options, Progress& progress) {
    const fs::path target = paths.series_tree();
    if (fs::exists(target / ".git") && !options.replace) {
        progress.info("kernel source already prepared: " + target.string() + " (" +
                      tree_version(target) + "); use --replace to start over");
        return;
    }
    const std::string wanted = base_version(paths);
    const fs::path staging = paths.build() / "src" / ".staging";
    fs::remove_all(staging); // left over from an interrupted run
    unpack_into(staging, options, progress);

    const std::string found = tree_version(staging);
    if (found != wanted && !options.force) {
        fs::remove_all(staging);
        throw UserError("kernel source is version " + found + " but patches/BASE is " + wanted,
                        "use a " + wanted + " tree or tarball, or pass --force to try anyway");
    }
    if (found != wanted)
        progress.warn("source is " + found + ", series expects " + wanted + " (--force)");
    if (fs::exists(target)) {
        fs::path aside = target;
        aside += ".replaced-" + timestamp();
        progress.info("setting the old tree aside as " + aside.string());
        git_try(target, {"worktree", "remove", "--force", paths.baseline_tree().string()});
        fs::remove_all(paths.baseline_tree());
        fs::rename(target, aside);
    }

    drop_debian_ignore(staging);
    progress.info("creating the base commit (about 30 s)");
    git(staging, {"init", "-q", "-b", "base"});
    git(staging, {"add", "-A", "--force"}); // dotfiles are ignored by .*
    git(staging, {"commit", "-q", "--no-verify", "--date=2000-01-01T00:00:00Z", "-m",
                  "Linux " + found + "\n\nBase of the vswap series (" +
                      (options.tree ? options.tree->string()
                                    : (options.tarball ? options.tarball->string()
                                                       : std::string(kDebianKernelTarball))) +
                      ")."});
    git(staging, {"tag", kBaseTag});
    fs::create_directories(target.parent_path());
    fs::rename(staging, target);
    progress.info("kernel source ready: " + target.string() + " (" + found + ")");
}

void ensure_kernel_source(const Paths& paths, Progress& progress) {
    if (!fs::exists(paths.series_tree() / ".git"))
        prepare_kernel_source(paths, {}, progress);
}

void ensure_baseline_tree(const Paths& paths, Progress& progress) {
    ensure_kernel_source(paths, progress);
    const fs::path tree = paths.baseline_tree();
    if (fs::exists(tree / ".git"))
        return;
    fs::remove_all(tree);
    git_try(paths.series_tree(), {"worktree", "prune"});
    progress.info("checking out the base tree for the baseline kernel: " + tree.string());
    git(paths.series_tree(), {"worktree", "add", "-q", "--detach", tree.string(), kBaseTag});
}

} // namespace vswap
