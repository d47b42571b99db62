#include "guest/tests/knobs.h"

#include "common/text.h"
#include "guest/sysfs.h"

#include <cstring>

namespace vswap::tests {
namespace fs = std::filesystem;
namespace {

const fs::path kThp = "/sys/kernel/mm/transparent_hugepage";

std::vector<fs::path> known_knobs() {
    std::vector<fs::path> knobs = {
        kThp / "enabled",
        kThp / "defrag",
        kThp / "shmem_enabled",
        kThp / "use_zero_page",
        "/sys/module/zswap/parameters/enabled",
        "/sys/module/zswap/parameters/shrinker_enabled",
        "/sys/module/zswap/parameters/max_pool_percent",
        "/sys/module/zswap/parameters/accept_threshold_percent",
        "/proc/sys/vm/swappiness",
        "/proc/sys/vm/overcommit_memory",
        "/proc/sys/vm/page-cluster",
        "/sys/kernel/debug/failslab/probability",
        "/sys/kernel/debug/failslab/interval",
        "/sys/kernel/debug/failslab/times",
        "/sys/kernel/debug/failslab/verbose",
        "/sys/kernel/debug/failslab/ignore-gfp-wait",
        "/sys/kernel/debug/failslab/cache-filter",
        "/sys/kernel/debug/failslab/require-start",
        "/sys/kernel/debug/failslab/require-end",
        "/sys/kernel/debug/fail_page_alloc/probability",
        "/sys/kernel/debug/fail_page_alloc/times",
        "/sys/kernel/debug/fail_page_alloc/require-start",
        "/sys/kernel/debug/fail_page_alloc/require-end",
    };
    for (const auto& dir : mthp_size_dirs()) {
        knobs.push_back(dir / "enabled");
        knobs.push_back(dir / "shmem_enabled");
    }
    return knobs;
}

} // namespace

std::string selected_value(const std::string& text) {
    auto open = text.find('[');
    auto close = text.find(']', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos)
        return text.substr(open + 1, close - open - 1);
    return trim(text);
}

std::vector<fs::path> mthp_size_dirs() {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(kThp, ec))
        if (entry.path().filename().string().rfind("hugepages-", 0) == 0)
            dirs.push_back(entry.path());
    return dirs;
}

SavedKnobs SavedKnobs::capture() {
    SavedKnobs saved;
    for (const auto& knob : known_knobs()) {
        try {
            if (auto text = sysfs::read_text_if_exists(knob))
                saved.values_[knob] = selected_value(*text);
        } catch (const sysfs::SysfsError&) {
            // Unreadable (write-only or permission): nothing to restore.
        }
    }
    return saved;
}

std::vector<std::string> SavedKnobs::restore() const {
    std::vector<std::string> failures;
    for (const auto& [knob, value] : values_) {
        std::string now;
        try {
            now = selected_value(sysfs::read_text(knob));
        } catch (const sysfs::SysfsError& e) {
            failures.push_back(e.what());
            continue;
        }
        if (now == value)
            continue;
        if (int error = sysfs::try_write_text(knob, value))
            failures.push_back("cannot restore " + knob.string() + " to '" + value +
                               "': " + std::strerror(error));
    }
    return failures;
}

} // namespace vswap::tests
