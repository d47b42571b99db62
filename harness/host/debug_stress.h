// Stress on the debug kernel (KASAN, lockdep, DEBUG_VM, ...): stress-ng
// --pageswap, verified usemem and a swapoff/swapon loop at once for a set
// time with 2 vCPUs under MTTCG, then the same for half as long with
// failslab limited to vswap's allocations. The kernel must stay silent
// (no splat on the console), no data may mismatch, the counters must
// return to 0.
#pragma once

#include "host/boot.h"
#include "host/paths.h"
#include "host/progress.h"
#include "host/test_results.h"

#include <string>

namespace vswap {

inline constexpr double kQuickStressMinutes = 2;
inline constexpr double kDefaultStressMinutes = 10;

BootRequest debug_stress_request(const std::string& kernel, double minutes);

// Runs it and saves build/test-results/<kernel>/stress.json. The run's
// figures hold the minutes run, pages round-tripped and splat count.
TestRun run_debug_stress(const Paths& paths, const std::string& kernel, double minutes, bool stream,
                         Progress& progress);

// One line per part with the figures, for the terminal and the note.
std::string describe_stress(const TestRun& run);

} // namespace vswap
