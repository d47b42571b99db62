// Results of the correctness runs (the guest functional suite, the
// kernel's selftests, the debug stress) per kernel: parsing what the guest
// wrote, saving each run under build/test-results/<kernel>/<kind>.json,
// tabulating kernels side by side and finding regressions against a base.
#pragma once

#include "host/paths.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vswap {

// One test's outcome. result: pass, fail, skip, not-supported, not-run.
struct TestRecord {
    std::string name;
    std::string result;
    std::string reason;
    double seconds = 0;
};

// One run of one kind of tests on one kernel.
struct TestRun {
    std::string kind;        // guest-suite, selftests, stress
    std::string kernel;      // variant name
    std::string when;        // UTC time the run ended
    std::string config_hash; // of the kernel image's .config, when known
    std::string image_hash;  // of the bzImage booted (taken before the boot)
    double seconds = 0;      // wall time of the boot
    std::string run_dir;
    std::string error;               // why the run as a whole failed (timeout, splat, no results)
    std::vector<std::string> splats; // "KASAN at console line 812: BUG: KASAN: ..."
    std::vector<TestRecord> tests;
    nlohmann::json figures = nlohmann::json::object(); // e.g. the stress figures

    size_t count(std::string_view result) const;
    const TestRecord* find(const std::string& name) const;
    // No run error and no failed test.
    bool passed() const { return error.empty() && count("fail") == 0; }
};

void to_json(nlohmann::json& j, const TestRecord& r);
void from_json(const nlohmann::json& j, TestRecord& r);
void to_json(nlohmann::json& j, const TestRun& r);
void from_json(const nlohmann::json& j, TestRun& r);

// The tests in a `vswap-guest test --json` file.
std::vector<TestRecord> records_from_guest_json(const nlohmann::json& results);

// kselftest TAP: "ok N desc", "not ok N desc", "# SKIP reason". Each test is
// named "<prefix>: <desc>". Output duplicated by a fork with buffered stdout
// keeps the last line per test number; repeated names get " [N]".
std::vector<TestRecord> parse_kselftest_tap(std::string_view tap, const std::string& prefix);

// build/test-results/<kernel>/<kind>.json
std::filesystem::path test_run_path(const Paths& paths, const std::string& kernel,
                                    const std::string& kind);
void save_test_run(const Paths& paths, const TestRun& run);
// nullopt when the run was never saved; throws UserError if it is corrupt.
std::optional<TestRun> load_test_run(const Paths& paths, const std::string& kernel,
                                     const std::string& kind);

// A Markdown table, one column per kernel. With `differences_only`, only
// the tests whose result differs between kernels or that fail somewhere.
std::string render_results_table(const std::vector<TestRun>& runs, bool differences_only);
// Per kernel: how many pass / fail / skip / not-supported, and run errors.
std::string render_summary(const std::vector<TestRun>& runs);

// A test the base passes and the candidate does not (fails, skips or lacks).
struct Regression {
    std::string test;
    std::string candidate_result; // "missing" when the candidate has no such test
    std::string reason;
};
std::vector<Regression> find_regressions(const TestRun& base, const TestRun& candidate);

// The kernel's identity for the record: its .config's hash and its
// image's hash ("" when missing).
std::string kernel_config_hash(const Paths& paths, const std::string& kernel);
std::string kernel_image_hash(const Paths& paths, const std::string& kernel);
std::string utc_now();

} // namespace vswap
