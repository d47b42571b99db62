// Workloads shared by several functional tests.
#pragma once

#include "guest/pattern.h"
#include "guest/sysfs.h"
#include "guest/tests/cgroup.h"
#include "guest/tests/child.h"
#include "guest/tests/framework.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace vswap::tests {

// A process in its own memory cgroup writes `bytes` of per-page patterns
// (mixed contents, or compressible only), reads everything back and
// verifies it, then holds its memory until `while_held` has looked at the
// cgroup. The cgroup's limits squeeze the excess out to swap.
struct PressureOptions {
    std::string cgroup = "workload";
    uint64_t bytes = 0;
    uint64_t memory_max = 0;  // 0 = no limit
    uint64_t memory_high = 0; // 0 = no limit
    std::optional<uint64_t> swap_max;
    std::optional<uint64_t> zswap_max;
    std::optional<bool> zswap_writeback;
    bool mixed = true;
    PageContent content = PageContent::Compressible; // when not mixed
    uint64_t seed = 7;
    double timeout_s = 120;
    // Verify once more after while_held (e.g. after forced writeback).
    bool verify_again = false;
    // Called about every 10 ms while the workload writes and verifies.
    std::function<void(const Cgroup&)> sample;
    // Called while the verified data is still mapped.
    std::function<void(const Cgroup&)> while_held;
};

struct PressureRun {
    ChildExit exit;
    bool verified = false;            // the child got through the verify pass
    sysfs::Counters vmstat_delta;     // over the whole run
    sysfs::Counters stat_held;        // memory.stat while held
    sysfs::Counters events;           // memory.events at the end
    sysfs::Counters swap_events;      // memory.swap.events at the end
    uint64_t peak = 0, swap_peak = 0; // memory.peak, memory.swap.peak (0 if absent)
    uint64_t current_held = 0;        // memory.current while held
    // memory.swap.current and memory.zswap.current once the workload has
    // exited (polled for a few seconds until 0).
    uint64_t swap_current_after = 0, zswap_current_after = 0;
};

PressureRun run_pressure(TestContext& ctx, const PressureOptions& options);

// Fails the test unless the run verified its data and exited cleanly.
void require_clean(const PressureRun& run, const std::string& what);

} // namespace vswap::tests
