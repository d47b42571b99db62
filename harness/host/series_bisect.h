// `patches check --bisect`: every prefix of the series must build with
// CONFIG_VIRTUAL_SWAP=y and =n. The patches are applied one by one with
// `git am` in a scratch worktree (build/src/bisect), and after each the
// directories the series touches are compiled in both configurations.
#pragma once

#include "host/paths.h"
#include "host/progress.h"

#include <string>
#include <vector>

namespace vswap {

struct BisectStep {
    std::string patch;  // file name in patches/
    std::string config; // "vswap" (=y) or "vswap-off" (=n)
    bool ok = false;
    double seconds = 0;
    std::string error; // the tail of the failing build, or why it did not run
};

// The directories compiled after each patch.
const std::vector<std::string>& bisect_targets();

// Needs the vswap and vswap-off kernels' object trees: after each patch,
// their .config plus HIBERNATION, MEMCG_V1 and MEMORY_FAILURE (so that
// kernel/power/swap.c, mm/memcontrol-v1.c and mm/memory-failure.c are built
// too) goes through olddefconfig, and CONFIG_VIRTUAL_SWAP must come out as
// the variant has it. Stops at the first patch that does not apply.
std::vector<BisectStep> bisect_series(const Paths& paths, unsigned jobs, Progress& progress);

} // namespace vswap
