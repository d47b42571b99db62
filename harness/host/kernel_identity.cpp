#include "host/kernel_identity.h"

#include "common/error.h"
#include "common/text.h"
#include "host/git.h"

namespace vswap {

KernelIdentity identify_kernel(const Paths& paths, const std::string& variant) {
    KernelIdentity k;
    k.variant = variant;
    const auto image = paths.kernel_image(variant);
    if (!std::filesystem::exists(image))
        throw UserError("kernel '" + variant + "' is not built (" + image.string() + ")",
                        "run 'scripts/vswap kernel build " + variant + "'");
    k.image_hash = content_hash(read_file(image));
    if (auto config = read_file_if_exists(paths.kernel_dir(variant) / ".config")) {
        k.config_hash = content_hash(*config);
        k.virtual_swap = config->find("\nCONFIG_VIRTUAL_SWAP=y\n") != std::string::npos;
    }
    return k;
}

std::string harness_version(const Paths& paths) {
    static std::string cached;
    if (!cached.empty())
        return cached;
    cached = VSWAP_HARNESS_VERSION;
    RunResult head = git_try(paths.root, {"rev-parse", "--short=12", "HEAD"});
    if (head.ok() && !trim(head.output).empty()) {
        cached += "+g" + trim(head.output);
        RunResult dirty = git_try(paths.root, {"status", "--porcelain", "--untracked-files=no",
                                               "--", "harness", "CMakeLists.txt", "scripts"});
        if (dirty.ok() && !trim(dirty.output).empty())
            cached += ".dirty";
    }
    return cached;
}

} // namespace vswap
