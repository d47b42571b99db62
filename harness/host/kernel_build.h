// Building a kernel variant out of tree: tinyconfig + fragments, a check
// that every fragment option survived, make with ccache, and the image and
// .config installed in build/kernels/VARIANT/.
#pragma once

#include "common/process.h"
#include "host/paths.h"
#include "host/progress.h"

#include <filesystem>
#include <string>
#include <vector>

namespace vswap {

struct BuildOptions {
    std::string variant;
    unsigned jobs = 0; // 0: one per CPU
    bool force = false;
};

struct BuildResult {
    std::filesystem::path image;
    bool rebuilt = false;
    double seconds = 0;
};

BuildResult build_kernel(const Paths& paths, const BuildOptions& options, Progress& progress);

// `make -C tree O=obj ARCH=x86_64` (with ccache when present), and the
// environment every kernel make runs with (ccache dir, fixed build stamps).
std::vector<std::string> make_argv(const std::filesystem::path& tree,
                                   const std::filesystem::path& obj);
RunOptions make_options(const Paths& paths);

// The tree a variant builds from.
std::filesystem::path variant_tree(const Paths& paths, const std::string& variant);

} // namespace vswap
