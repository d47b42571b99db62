// A whole hibernation cycle on one kernel: two boots over one swap disk.
// Boot 1 fills memory, swaps part of it out and hibernates (the kernel
// writes the image to the swap disk and powers off); boot 2 restores the
// image, and the restored agent verifies every page, swaps off and checks
// that the vswap counters return to 0 (guest/hibernate_cycle.h). Neither
// boot has the 9p shares, which do not survive a restore.
#pragma once

#include "host/paths.h"
#include "host/progress.h"
#include "host/test_results.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace vswap {

inline constexpr const char* kHibernateKind = "hibernate";
inline constexpr const char* kHibernateTest = "hibernate.cycle";

// The agent's report in a boot's standard output: nullopt when it wrote
// none, a failed result when its line is not JSON.
std::optional<nlohmann::json> find_hibernate_report(const std::string& output);

// Runs it and saves build/test-results/<kernel>/hibernate.json: one test,
// hibernate.cycle, whose figures are the agent's report.
TestRun run_hibernate_cycle(const Paths& paths, const std::string& kernel, bool stream,
                            Progress& progress);

} // namespace vswap
