// The kernel's own tests from the same tree: tools/testing/selftests/mm/cow,
// cgroup/test_zswap and cgroup/test_memcontrol, built on the host from the
// series branch (which adapts test_memcg_swap_max_peak to memory.swap
// counting device slots) and run on every kernel, baseline included, in
// the guest under chroot /host with a swap disk and zswap on.
#pragma once

#include "host/boot.h"
#include "host/paths.h"
#include "host/progress.h"
#include "host/test_results.h"

#include <filesystem>
#include <string>
#include <vector>

namespace vswap {

struct Selftest {
    std::string name;   // binary, e.g. "cow"
    std::string subdir; // under tools/testing/selftests
    double timeout_s;   // in the guest
};
const std::vector<Selftest>& selftests();

// build/selftests/bin: the binaries, rebuilt when the vswap branch moves.
std::filesystem::path selftest_bin_dir(const Paths& paths);
// Extracts the sources (git archive vswap), installs the UAPI headers
// into that copy and builds the binaries; a no-op when they are current.
void ensure_selftests(const Paths& paths, Progress& progress);

BootRequest selftests_request(const Paths& paths, const std::string& kernel);

// Builds what is missing, runs every selftest in one boot, saves the run
// as build/test-results/<kernel>/selftests.json and returns it. A selftest
// that crashes or overruns its timeout is one failed record "<name>: run".
TestRun run_selftests(const Paths& paths, const std::string& kernel, bool stream,
                      Progress& progress);

// The records of one binary from its TAP output and exit status (77/4
// whole-binary skip, 124/137 timeout). Pure: unit-tested.
std::vector<TestRecord> selftest_records(const std::string& name, const std::string& tap,
                                         std::optional<int> exit_status, double seconds);

// A test that failed in `first` but passed in the rerun of its binary
// becomes a pass whose reason says it is flaky. Pure: unit-tested.
void mark_flaky(std::vector<TestRecord>& first, const std::vector<TestRecord>& rerun);

} // namespace vswap
