// Where everything lives in a checkout: sources, build trees, images, runs.
#pragma once

#include <filesystem>
#include <string>

namespace vswap {

struct Paths {
    std::filesystem::path root; // the checkout

    std::filesystem::path build() const { return root / "build"; }
    std::filesystem::path patches() const { return root / "patches"; }
    std::filesystem::path configs() const { return root / "configs"; }
    std::filesystem::path results() const { return root / "results"; }
    // Git repository holding the base commit and the series branch.
    std::filesystem::path series_tree() const { return build() / "src" / "linux"; }
    // Worktree of the same repository checked out at the base commit.
    std::filesystem::path baseline_tree() const { return build() / "src" / "baseline"; }
    std::filesystem::path obj(const std::string& variant) const {
        return build() / "obj" / variant;
    }
    std::filesystem::path kernel_dir(const std::string& variant) const {
        return build() / "kernels" / variant;
    }
    std::filesystem::path kernel_image(const std::string& variant) const {
        return kernel_dir(variant) / "bzImage";
    }
    std::filesystem::path guest() const { return build() / "guest"; }
    std::filesystem::path runs() const { return build() / "runs"; }
    std::filesystem::path harness_bin() const { return build() / "harness"; }
};

// VSWAP_ROOT when set (scripts/vswap sets it), else the source directory
// the harness was configured from.
Paths project_paths();

// The version in patches/BASE, e.g. "6.12.117".
std::string base_version(const Paths& paths);

} // namespace vswap
