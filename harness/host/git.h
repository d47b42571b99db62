// Thin wrapper over the git command line for the kernel trees.
#pragma once

#include "common/process.h"

#include <filesystem>
#include <string>
#include <vector>

namespace vswap {

// Runs `git -C repo args...` with a fixed identity and dates, so that commits
// made by the harness (the base commit, `git am`) are reproducible.
RunResult git(const std::filesystem::path& repo, const std::vector<std::string>& args,
              const std::string& fix = {});
// Same, but returns the result instead of throwing on a non-zero exit.
RunResult git_try(const std::filesystem::path& repo, const std::vector<std::string>& args);

bool git_ref_exists(const std::filesystem::path& repo, const std::string& ref);
std::string git_rev(const std::filesystem::path& repo, const std::string& ref);

} // namespace vswap
