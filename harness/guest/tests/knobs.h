// Kernel tunables a test may change (THP modes, zswap parameters, vm
// sysctls, fault injection), saved before every test and restored after,
// so that one test's settings never leak into the next.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vswap::tests {

// "always [madvise] never" -> "madvise"; anything else is returned trimmed.
std::string selected_value(const std::string& text);

class SavedKnobs {
public:
    // Reads every known tunable that exists on this kernel.
    static SavedKnobs capture();
    // Writes back every value that changed; returns the failures.
    std::vector<std::string> restore() const;

private:
    std::map<std::filesystem::path, std::string> values_;
};

// The per-size mTHP directories: /sys/kernel/mm/transparent_hugepage/hugepages-*kB.
std::vector<std::filesystem::path> mthp_size_dirs();

} // namespace vswap::tests
