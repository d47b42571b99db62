// The kernel variants the harness builds and boots.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vswap {

struct Variant {
    std::string name;
    bool with_series;                             // false: the pristine base tree
    std::vector<std::filesystem::path> fragments; // relative to the checkout, merged in order
    std::string description;
    std::string boot_append = {}; // kernel command line for every boot of it
    // Time budgets of whole suites on it, relative to the other variants
    // (guest work under TCG runs that much slower).
    double slowdown = 1.0;
};

const std::vector<Variant>& all_variants();

// Throws UserError naming the valid variants when `name` is not one.
const Variant& find_variant(const std::string& name);

std::string variant_names(); // "baseline, vswap, vswap-off, debug"

} // namespace vswap
