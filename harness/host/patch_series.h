// The patch series: patches/series applied with `git am` on the vswap
// branch, exported back with `git format-patch`, and checked with
// checkpatch.pl.
#pragma once

#include "host/paths.h"
#include "host/progress.h"

#include <string>
#include <vector>

namespace vswap {

// The patch files named by patches/series, in order. Throws UserError when
// a listed file is missing.
std::vector<std::string> read_series(const Paths& paths);

enum class SeriesState {
    NotApplied, // no vswap branch yet
    Current,    // the branch holds exactly patches/ as last applied or exported
    Stale,      // patches/ changed since, and the branch has no local work
    LocalWork,  // the branch has commits or edits that are not exported
};
SeriesState series_state(const Paths& paths);
std::string describe(SeriesState state);

// Applies the series on a fresh vswap branch from the base commit. Earlier
// unexported work on the branch is kept as vswap-backup-<time>. On failure
// names the patch and the file, and leaves the tree as it was.
void apply_series(const Paths& paths, Progress& progress);

// Applies the series when the branch is missing or stale; builds use this.
void ensure_series(const Paths& paths, Progress& progress);

struct ExportSummary {
    int added = 0, changed = 0, unchanged = 0, removed = 0;
    std::vector<std::string> files;
};
ExportSummary export_series(const Paths& paths, Progress& progress);

struct PatchCheck {
    std::string file;
    int errors = 0, warnings = 0, checks = 0;
    std::string output;
};
std::vector<PatchCheck> check_series(const Paths& paths, Progress& progress);

} // namespace vswap
