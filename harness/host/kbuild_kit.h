// The kbuild workload's inputs: a tar of the sources and headers that a
// fixed set of kernel objects needs, taken from the pristine base commit
// (vswap-base), the generated headers of a configured object tree, and a
// Makefile with kbuild's own compile commands. The guest unpacks it on its
// ext4 scratch disk and compiles with gcc from the host root (chroot).
// Made once and kept, so every run compiles exactly the same thing.
#pragma once

#include "host/paths.h"
#include "host/progress.h"

#include <filesystem>
#include <string>
#include <vector>

namespace vswap {

struct KbuildKit {
    std::filesystem::path tar; // on the host
    std::string guest_path;    // the same file seen from the guest (/host/...)
    std::string hash;          // of the tar
    std::vector<std::string> objects;
};

// The objects the kit compiles.
const std::vector<std::string>& kbuild_objects();

// Builds build/kbuild/kit.tar unless it exists for the same object list.
// Throws UserError when no configured object tree or no base commit exists.
KbuildKit prepare_kbuild_kit(const Paths& paths, Progress& progress);

// Pieces of the kit, exposed for tests.
// A kbuild .cmd file's command turned into one for the kit: no ccache, no
// dependency file, no objtool step, sources under `src`, output `out`.
std::string kit_compile_command(const std::string& saved_cmd, const std::string& tree,
                                const std::string& src, const std::string& out);
// The files named by a gcc -M dependency file.
std::vector<std::string> parse_depfile(const std::string& text);

} // namespace vswap
