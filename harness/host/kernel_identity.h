// What identifies a built kernel in a result: its .config hash, its image
// hash, and whether it has virtual swap.
#pragma once

#include "host/paths.h"
#include "host/run_record.h"

#include <string>

namespace vswap {

// Throws UserError when the kernel image is missing.
KernelIdentity identify_kernel(const Paths& paths, const std::string& variant);

// The harness version: the CMake project version and the checkout's commit,
// e.g. "0.1.0+g1a2b3c4" (with ".dirty" when harness sources are modified).
std::string harness_version(const Paths& paths);

} // namespace vswap
