// The kernel source: unpack a tree or tarball into build/src/linux, check its
// version against patches/BASE, and make the git repository the series is
// applied in (one base commit, tag vswap-base).
#pragma once

#include "host/paths.h"
#include "host/progress.h"

#include <filesystem>
#include <optional>
#include <string>

namespace vswap {

inline constexpr const char* kDebianKernelTarball = "/usr/src/linux-source-6.12.tar.xz";
inline constexpr const char* kBaseTag = "vswap-base";
inline constexpr const char* kSeriesBranch = "vswap";

struct SourceOptions {
    std::optional<std::filesystem::path> tree;
    std::optional<std::filesystem::path> tarball;
    bool force = false;   // accept a version that differs from patches/BASE
    bool replace = false; // set an existing build/src/linux aside and start over
};

// "6.12.117" from a tree's top-level Makefile.
std::string tree_version(const std::filesystem::path& tree);

// Prepares build/src/linux. Does nothing when it already exists, unless
// options.replace is set.
void prepare_kernel_source(const Paths& paths, const SourceOptions& options, Progress& progress);

// Prepares the default source when build/src/linux does not exist yet.
void ensure_kernel_source(const Paths& paths, Progress& progress);

// build/src/baseline: a worktree of the base commit for the baseline kernel.
void ensure_baseline_tree(const Paths& paths, Progress& progress);

} // namespace vswap
