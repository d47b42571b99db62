// The functional test framework of vswap-guest: named tests, each run in
// its own process and memory cgroup with its swap backend set up around
// it, reported as pass / fail / skip / not-supported with a reason, in
// kselftest-style TAP and in JSON.
//
// A test body reports its outcome by returning (pass) or by throwing
// through fail(), skip() or not_supported(); require() checks a condition.
// After every test the runner tears the backend down, checks that no swap
// area is left on, that zswap is empty, and that the vswap counters return
// to 0 (the leak check).
#pragma once

#include "guest/backend.h"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vswap::tests {

enum class Status { Pass, Fail, Skip, NotSupported };
std::string_view status_name(Status status); // pass, fail, skip, not-supported
std::optional<Status> parse_status(std::string_view name);

// Thrown by a test body (or the helpers) to end it with that status.
struct TestOutcome : std::runtime_error {
    Status status;
    TestOutcome(Status s, const std::string& reason) : std::runtime_error(reason), status(s) {}
};
[[noreturn]] void fail(const std::string& reason);
[[noreturn]] void skip(const std::string& reason);
[[noreturn]] void not_supported(const std::string& reason);
inline void require(bool condition, const std::string& reason) {
    if (!condition)
        fail(reason);
}

class TestContext;

struct TestCase {
    std::string name;
    std::string summary;
    // Set up by the runner before the body and torn down after it.
    std::optional<BackendKind> backend;
    BackendOptions backend_options;
    double timeout_s = 120;
    // Only run when named exactly (long stress runs).
    bool explicit_only = false;
    // Timed tests run for this share of --duration (the timeout grows by as
    // much); 0 for tests that are not timed.
    double duration_share = 0;
    // Needs the vswap layer: "not supported" without /sys/kernel/debug/vswap,
    // "skip" (not run) where the directory exists but no 'entries' counter.
    bool needs_vswap = false;
    // The runner turns transparent huge pages off (every size) before a
    // test, so that page counts are exact; THP tests set what they need.
    bool keep_thp = false;
    std::function<void(TestContext&)> body;
};

struct LeakCheck {
    std::string status; // pass, fail, not supported, not run
    std::string reason;
    // Entries needing no device (in a folio, zswap, zero or filled) that live
    // processes or files still named, which the check faulted back before
    // deciding (0: none).
    uint64_t faulted_back = 0;
    nlohmann::json counters = nlohmann::json::object();
};

struct TestResult {
    std::string name;
    Status status = Status::Pass;
    std::string reason;
    double seconds = 0;
    LeakCheck leak;
    nlohmann::json details = nlohmann::json::object();
};

// What a test body can use. It runs in a child process placed in the
// memory cgroup main_cgroup(); workload cgroups are made beside it.
class TestContext {
public:
    TestContext(const TestCase& test, const Backend* backend, std::filesystem::path cgroup_root,
                double duration_s)
        : test_(test), backend_(backend), cgroup_root_(std::move(cgroup_root)),
          duration_s_(duration_s) {}

    const TestCase& test() const { return test_; }
    // The backend the runner set up, or nullptr.
    const Backend* backend() const { return backend_; }
    const Backend& require_backend() const;
    // Parent of the test's cgroups (memory controller enabled for children).
    const std::filesystem::path& cgroup_root() const { return cgroup_root_; }
    std::filesystem::path main_cgroup() const { return cgroup_root_ / "main"; }
    // How long a timed test runs: its share of --duration, in seconds.
    double duration_s() const { return duration_s_ * test_.duration_share; }

    // A detail for the JSON report (and a "# key: value" TAP diagnostic).
    void note(const std::string& key, const nlohmann::json& value);
    void log(const std::string& message) const; // "# name: message" on stdout
    nlohmann::json& details() { return details_; }

private:
    const TestCase& test_;
    const Backend* backend_;
    std::filesystem::path cgroup_root_;
    double duration_s_;
    nlohmann::json details_ = nlohmann::json::object();
};

// --- Reporting (pure, unit-tested) ----------------------------------------

std::string tap_header(size_t count);
std::string tap_line(size_t number, const TestResult& result);
std::string tap_totals(const std::vector<TestResult>& results);

struct RunInfo {
    std::string kernel; // the harness's variant name, or uname -r
    std::string uname;  // uname -r -v
    bool vswap_dir = false;
    double seconds = 0;
};
nlohmann::json results_json(const RunInfo& info, const std::vector<TestResult>& results);
TestResult result_from_json(const nlohmann::json& j);

// --- Running ----------------------------------------------------------------

struct RunOptions {
    std::optional<std::filesystem::path> json_path; // rewritten after every test
    double duration_s = 600;                        // stress tests
    // Tests that would start after this many seconds are reported as not
    // run, so that a hanging kernel cannot make the suite overrun. 0: none.
    double budget_s = 0;
};

// Runs the tests in order, prints TAP on stdout as each ends, and returns
// the results.
std::vector<TestResult> run_tests(const std::vector<const TestCase*>& tests,
                                  const RunOptions& options);

// Names match exactly or as fnmatch patterns ("integrity.*"); explicit-only
// tests match only by exact name. Unknown names come back in `unknown`.
std::vector<const TestCase*> select_tests(const std::vector<TestCase>& all,
                                          const std::vector<std::string>& names,
                                          std::vector<std::string>& unknown);

// The leak check the runner does after every test; exposed for the tests
// that assert on the counters themselves.
LeakCheck check_vswap_leaks(double timeout_s = 5);

} // namespace vswap::tests
