#include "host/paths.h"

#include "common/error.h"
#include "common/text.h"

#include <cstdlib>

namespace vswap {

Paths project_paths() {
    const char* env = std::getenv("VSWAP_ROOT");
    return Paths{env && *env ? std::filesystem::path(env)
                             : std::filesystem::path(VSWAP_SOURCE_DIR)};
}

std::string base_version(const Paths& paths) {
    auto content = read_file_if_exists(paths.patches() / "BASE");
    if (!content || trim(*content).empty())
        throw UserError("patches/BASE is missing or empty",
                        "write the kernel version the series applies to, e.g. 6.12.117");
    return trim(*content);
}

} // namespace vswap
