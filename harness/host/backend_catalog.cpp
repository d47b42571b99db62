#include "host/backend_catalog.h"

#include "common/error.h"

namespace vswap {

const std::vector<BackendSpec>& all_backends() {
    static const std::vector<BackendSpec> backends = {
        {"disk", "a swap partition on a virtio disk", true, false, false},
        {"swapfile", "a swap file on ext4", false, true, false},
        {"zram", "a zram device (lzo-rle), no disk", false, false, false},
        {"ramdisk", "a RAM disk (brd): a fast synchronous device, like PMEM", false, false, false},
        {"zswap", "zswap (lzo, zsmalloc) in front of a swap disk", true, false, false},
        {"zswap-only", "zswap with no swap device (vswap only)", false, false, true, false},
    };
    return backends;
}

std::string backend_names() {
    std::string names;
    for (const auto& b : all_backends())
        names += (names.empty() ? "" : ", ") + b.name;
    return names;
}

const BackendSpec& find_backend(const std::string& name) {
    for (const auto& b : all_backends()) {
        if (b.name == name)
            return b;
    }
    throw UserError("unknown backend '" + name + "'", "choose one of: " + backend_names());
}

} // namespace vswap
