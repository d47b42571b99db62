// Command-line pieces shared by `run` and `suite`: the matrix options and
// the default results directory.
#pragma once

#include "cli/options.h"
#include "host/matrix.h"
#include "host/paths.h"

#include <filesystem>
#include <string>
#include <vector>

namespace vswap::cli {

// Comma-separated words, trimmed, empty ones dropped.
std::vector<std::string> comma_list(const std::string& text);

// --kernels, --workloads, --backends, --repeats, --mem, --timing, --cpus.
void add_matrix_options(po::options_description& o, const std::string& default_kernels);

// The matrix the options describe: a preset (`preset`, with --repeats
// etc. applied), or the cross product of --workloads and --backends.
// Validates it (unknown names, nothing in it).
MatrixSpec matrix_from_options(const po::variables_map& vm, const std::string& preset);

// results/<date>-<kernels>[-SUFFIX]
std::filesystem::path default_results_dir(const Paths& paths,
                                          const std::vector<std::string>& kernels,
                                          const std::string& suffix = "");

} // namespace vswap::cli
