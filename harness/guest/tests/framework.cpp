#include "guest/tests/framework.h"

#include "common/text.h"
#include "guest/sysfs.h"
#include "guest/tests/cgroup.h"
#include "guest/tests/child.h"
#include "guest/tests/hang_report.h"
#include "guest/tests/knobs.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fnmatch.h>
#include <set>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

namespace vswap::tests {
namespace fs = std::filesystem;
namespace {

constexpr const char* kCgroupRootName = "vswap-test";
constexpr const char* kZswapStored = "/sys/kernel/debug/zswap/stored_pages";
constexpr size_t kResultBytes = 1 << 20;

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// One-line text for TAP: no newlines, no '#' that would start a directive.
std::string tap_text(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r')
            c = ' ';
    return s;
}

} // namespace

std::string_view status_name(Status status) {
    switch (status) {
    case Status::Pass:
        return "pass";
    case Status::Fail:
        return "fail";
    case Status::Skip:
        return "skip";
    case Status::NotSupported:
        return "not-supported";
    }
    return "fail";
}

std::optional<Status> parse_status(std::string_view name) {
    for (Status s : {Status::Pass, Status::Fail, Status::Skip, Status::NotSupported})
        if (status_name(s) == name)
            return s;
    return std::nullopt;
}

void fail(const std::string& reason) {
    throw TestOutcome(Status::Fail, reason);
}
void skip(const std::string& reason) {
    throw TestOutcome(Status::Skip, reason);
}
void not_supported(const std::string& reason) {
    throw TestOutcome(Status::NotSupported, reason);
}

const Backend& TestContext::require_backend() const {
    if (!backend_)
        fail("test '" + test_.name + "' has no backend set up");
    return *backend_;
}

void TestContext::note(const std::string& key, const nlohmann::json& value) {
    details_[key] = value;
    log(key + ": " + value.dump());
}

void TestContext::log(const std::string& message) const {
    std::printf("# %s: %s\n", test_.name.c_str(), tap_text(message).c_str());
    std::fflush(stdout);
}

// --- Reporting ----------------------------------------------------------------

std::string tap_header(size_t count) {
    return "TAP version 13\n1.." + std::to_string(count) + "\n";
}

std::string tap_line(size_t number, const TestResult& r) {
    std::string line =
        (r.status == Status::Fail ? "not ok " : "ok ") + std::to_string(number) + " " + r.name;
    switch (r.status) {
    case Status::Pass:
        break;
    case Status::Fail:
        line += " # " + tap_text(r.reason);
        break;
    case Status::Skip:
        line += " # SKIP " + tap_text(r.reason);
        break;
    case Status::NotSupported:
        line += " # SKIP not supported: " + tap_text(r.reason);
        break;
    }
    return line + "\n";
}

std::string tap_totals(const std::vector<TestResult>& results) {
    size_t pass = 0, fail_count = 0, skip_count = 0;
    for (const auto& r : results) {
        if (r.status == Status::Pass)
            ++pass;
        else if (r.status == Status::Fail)
            ++fail_count;
        else
            ++skip_count;
    }
    return "# Totals: pass:" + std::to_string(pass) + " fail:" + std::to_string(fail_count) +
           " xfail:0 xpass:0 skip:" + std::to_string(skip_count) + " error:0\n";
}

nlohmann::json results_json(const RunInfo& info, const std::vector<TestResult>& results) {
    nlohmann::json tests = nlohmann::json::array();
    std::map<std::string, int> summary = {
        {"pass", 0}, {"fail", 0}, {"skip", 0}, {"not-supported", 0}};
    for (const auto& r : results) {
        ++summary[std::string(status_name(r.status))];
        tests.push_back({{"name", r.name},
                         {"result", status_name(r.status)},
                         {"reason", r.reason},
                         {"seconds", r.seconds},
                         {"leak_check",
                          {{"status", r.leak.status},
                           {"reason", r.leak.reason},
                           {"faulted_back", r.leak.faulted_back},
                           {"counters", r.leak.counters}}},
                         {"details", r.details}});
    }
    return {{"format", "vswap-guest-tests/1"},
            {"kernel", info.kernel},
            {"uname", info.uname},
            {"vswap_debugfs", info.vswap_dir},
            {"seconds", info.seconds},
            {"summary", summary},
            {"tests", tests}};
}

TestResult result_from_json(const nlohmann::json& j) {
    TestResult r;
    r.name = j.at("name").get<std::string>();
    auto status = parse_status(j.at("result").get<std::string>());
    if (!status)
        throw std::runtime_error("unknown result '" + j.at("result").get<std::string>() +
                                 "' for test " + r.name);
    r.status = *status;
    r.reason = j.value("reason", "");
    r.seconds = j.value("seconds", 0.0);
    if (j.contains("leak_check")) {
        const auto& l = j["leak_check"];
        r.leak.status = l.value("status", "");
        r.leak.reason = l.value("reason", "");
        r.leak.counters = l.value("counters", nlohmann::json::object());
        r.leak.faulted_back = l.value("faulted_back", uint64_t(0));
    }
    r.details = j.value("details", nlohmann::json::object());
    return r;
}

// --- Leak check -----------------------------------------------------------------

namespace {

// Reads every readable mapping of process `pid` through /proc/PID/mem,
// which faults its swapped-out pages back in.
void read_process_memory(const std::string& pid, std::vector<char>& buffer) {
    const std::string dir = "/proc/" + pid;
    auto maps = sysfs::read_text_if_exists(dir + "/maps");
    if (!maps)
        return;
    FILE* mem = std::fopen((dir + "/mem").c_str(), "rb");
    if (!mem)
        return;
    for (const auto& line : split_lines(*maps)) {
        unsigned long start = 0, end = 0;
        char perms[8] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %7s", &start, &end, perms) != 3 || perms[0] != 'r' ||
            line.find("[vsyscall]") != std::string::npos)
            continue;
        for (unsigned long at = start; at < end; at += buffer.size()) {
            const size_t n = std::min<unsigned long>(buffer.size(), end - at);
            if (fseeko(mem, static_cast<off_t>(at), SEEK_SET) != 0 ||
                std::fread(buffer.data(), 1, n, mem) != n)
                break;
        }
    }
    std::fclose(mem);
}

// Mount points of filesystems whose files cannot be swapped: all but the
// rootfs and tmpfs. The host's shares (9p) above all: reading them would
// read the host's checkout, kernel build trees included, over virtio.
std::set<std::string> unswappable_mounts() {
    std::set<std::string> mounts;
    auto text = sysfs::read_text_if_exists("/proc/self/mounts").value_or("");
    for (const auto& line : split_lines(text)) {
        std::vector<std::string> fields;
        for (const auto& f : split(line, ' '))
            fields.push_back(f);
        if (fields.size() >= 3 && fields[2] != "rootfs" && fields[2] != "tmpfs" &&
            fields[2] != "ramfs")
            mounts.insert(fields[1]);
    }
    return mounts;
}

// With virtual swap, swapoff leaves a swapped page of a live process in its
// swap cache folio, still named by its entry, until the owner touches it:
// after global pressure that includes this runner, init, and the rootfs
// (tmpfs) files. Touch them all, so that only entries nobody can reach
// remain.
void fault_back_live_swap() {
    if (mlockall(MCL_CURRENT) == 0)
        munlockall();
    std::error_code ec;
    std::vector<char> buffer(1 << 16);
    const auto skip = unswappable_mounts();
    auto options = std::filesystem::directory_options::skip_permission_denied;
    for (auto it = std::filesystem::recursive_directory_iterator("/", options, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto path = it->path().string();
        if (skip.count(path)) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec))
            continue;
        if (FILE* f = std::fopen(path.c_str(), "rb")) {
            while (std::fread(buffer.data(), 1, buffer.size(), f) == buffer.size())
                ;
            std::fclose(f);
        }
    }
    const std::string self = std::to_string(getpid());
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string pid = entry.path().filename().string();
        if (pid != self && pid.find_first_not_of("0123456789") == std::string::npos)
            read_process_memory(pid, buffer);
    }
}

} // namespace

LeakCheck check_vswap_leaks(double timeout_s) {
    LeakCheck check;
    auto counters = sysfs::read_vswap_counters();
    if (!counters) {
        check.status = "not supported";
        check.reason = std::string("no ") + sysfs::kVswapDebugDir + " on this kernel";
        return check;
    }
    if (!counters->missing.empty()) {
        check.status = "not run";
        std::string names;
        for (const auto& m : counters->missing)
            names += (names.empty() ? "" : ", ") + m;
        check.reason = "counter " + names + " not provided by this kernel";
        return check;
    }
    auto nonzero = [](const sysfs::VswapCounters& c) {
        std::string text;
        for (const auto& [name, value] : c.values)
            if (!sysfs::is_cumulative_vswap_counter(name) && value != 0)
                text += (text.empty() ? "" : ", ") + name + "=" + std::to_string(value);
        return text;
    };
    // Polls until no live counter is left or timeout_s has passed.
    std::string leaked;
    auto wait_until_clean = [&] {
        const double deadline = now_s() + timeout_s;
        for (;;) {
            leaked = nonzero(*counters);
            if (leaked.empty() || now_s() >= deadline)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            counters = sysfs::read_vswap_counters();
        }
    };
    wait_until_clean();
    // Only entries that need no device left (in a folio, zswap, or a zero
    // or filled page: global reclaim swaps init's and the rootfs's pages
    // too): see whether live processes and files hold them.
    auto in_memory = [](const sysfs::VswapCounters& c) -> uint64_t {
        if (c.values.count("backing_phys") && c.values.at("backing_phys") != 0)
            return 0;
        uint64_t n = 0;
        for (const char* name :
             {"backing_folio", "backing_zswap", "backing_zero", "backing_filled"})
            n += c.values.count(name) ? c.values.at(name) : 0;
        return n;
    };
    if (const uint64_t held = in_memory(*counters); !leaked.empty() && held) {
        check.faulted_back = held;
        fault_back_live_swap();
        counters = sysfs::read_vswap_counters();
        wait_until_clean();
    }
    for (const auto& [name, value] : counters->values)
        check.counters[name] = value;
    if (leaked.empty()) {
        check.status = "pass";
    } else {
        check.status = "fail";
        check.reason = "vswap counters not back to 0 after " + std::to_string(int(timeout_s)) +
                       " s: " + leaked;
    }
    return check;
}

// --- Selecting ------------------------------------------------------------------

std::vector<const TestCase*> select_tests(const std::vector<TestCase>& all,
                                          const std::vector<std::string>& names,
                                          std::vector<std::string>& unknown) {
    std::vector<const TestCase*> chosen;
    std::set<const TestCase*> seen;
    if (names.empty()) {
        for (const auto& t : all)
            if (!t.explicit_only)
                chosen.push_back(&t);
        return chosen;
    }
    for (const auto& name : names) {
        bool matched = false;
        for (const auto& t : all) {
            bool exact = t.name == name;
            bool pattern = !t.explicit_only && fnmatch(name.c_str(), t.name.c_str(), 0) == 0;
            if (!exact && !pattern)
                continue;
            matched = true;
            if (seen.insert(&t).second)
                chosen.push_back(&t);
        }
        if (!matched)
            unknown.push_back(name);
    }
    return chosen;
}

// --- Running --------------------------------------------------------------------

namespace {

// What the child writes back: status, reason and details as JSON text.
struct ResultPage {
    char json[kResultBytes];
};

// Every THP size off; the knobs are restored after the test.
void thp_off() {
    sysfs::try_write_text("/sys/kernel/mm/transparent_hugepage/enabled", "never");
    for (const auto& dir : mthp_size_dirs())
        sysfs::try_write_text(dir / "enabled", "never");
}

std::string swaps_left_on() {
    std::string left;
    for (const auto& s : active_swaps())
        left += (left.empty() ? "" : ", ") + s.path;
    return left;
}

// After the backend is gone: swap areas off, zswap empty. Returns a
// failure reason, or empty.
std::string check_residue() {
    std::string problems;
    if (auto left = swaps_left_on(); !left.empty()) {
        problems = "swap left on after the test: " + left;
        for (const auto& s : active_swaps())
            try_swap_off(s.path);
    }
    std::optional<uint64_t> stored;
    bool empty = wait_until(
        [&] {
            stored = sysfs::read_u64_if_exists(kZswapStored);
            return !stored || *stored == 0;
        },
        5, 0.1);
    if (!empty)
        problems += std::string(problems.empty() ? "" : "; ") + "zswap still stores " +
                    std::to_string(*stored) + " pages after the test";
    return problems;
}

TestResult run_one(const TestCase& test, const RunOptions& options) {
    TestResult result;
    result.name = test.name;
    const double start = now_s();
    auto finish = [&](Status status, std::string reason) {
        result.status = status;
        result.reason = std::move(reason);
        result.seconds = now_s() - start;
        if (result.leak.status.empty())
            result.leak.status = "not run";
        return result;
    };

    // Kernel support first: these need no setup.
    if (test.needs_vswap) {
        auto counters = sysfs::read_vswap_counters();
        if (!counters)
            return finish(Status::NotSupported, std::string("needs virtual swap (no ") +
                                                    sysfs::kVswapDebugDir + " on this kernel)");
        if (!counters->values.count("entries"))
            return finish(Status::Skip,
                          "not run: the vswap layer is not active on this kernel (counter "
                          "'entries' not provided)");
    }
    if (test.backend) {
        auto check = check_backend(*test.backend, test.backend_options);
        if (check.status == BackendCheck::Status::NotSupported)
            return finish(Status::NotSupported, check.reason);
        if (check.status == BackendCheck::Status::Unavailable)
            return finish(Status::Skip, "not run: " + check.reason);
    }
    if (auto left = swaps_left_on(); !left.empty())
        for (const auto& s : active_swaps())
            try_swap_off(s.path);

    const SavedKnobs knobs = SavedKnobs::capture();
    if (!test.keep_thp)
        thp_off();
    const fs::path root = fs::path(kCgroupMount) / kCgroupRootName;
    destroy_cgroup_tree(root);
    Status status = Status::Pass;
    std::string reason;
    nlohmann::json details = nlohmann::json::object();
    try {
        enable_memory_controller(kCgroupMount);
        fs::create_directory(root);
        enable_memory_controller(root);
        fs::create_directory(root / "main");
    } catch (const std::exception& e) {
        return finish(Status::Fail, std::string("cannot set up the test cgroups: ") + e.what());
    }

    std::optional<Backend> backend;
    try {
        if (test.backend)
            backend.emplace(*test.backend, test.backend_options);
    } catch (const std::exception& e) {
        destroy_cgroup_tree(root);
        knobs.restore();
        return finish(Status::Fail, std::string("backend setup failed: ") + e.what());
    }

    {
        Shared<ResultPage> page;
        ChildProcess child(
            [&]() -> int {
                TestContext context(test, backend ? &*backend : nullptr, root, options.duration_s);
                nlohmann::json out = {{"status", "pass"}, {"reason", ""}};
                try {
                    test.body(context);
                } catch (const TestOutcome& o) {
                    out["status"] = status_name(o.status);
                    out["reason"] = o.what();
                } catch (const std::exception& e) {
                    out["status"] = "fail";
                    out["reason"] = std::string("unexpected error: ") + e.what();
                }
                out["details"] = context.details();
                std::string text = out.dump();
                if (text.size() >= kResultBytes) {
                    out["details"] = {{"truncated", true}};
                    text = out.dump();
                }
                std::memcpy(page->json, text.c_str(), text.size() + 1);
                return 0;
            },
            root / "main");
        const double timeout = test.timeout_s + options.duration_s * test.duration_share;
        std::optional<HangReport> hang;
        if (!wait_until([&] { return child.poll().has_value(); }, timeout, 0.01))
            hang = report_hang(root); // before the kill, while they still hang
        ChildExit exit = child.wait(0);
        if (exit.timed_out) {
            status = Status::Fail;
            reason = "timed out after " + std::to_string(int(timeout)) +
                     " s: " + (hang ? hang->summary : std::string("no report"));
            if (hang)
                details["hung_processes"] = hang->processes;
        } else if (!exit.ok() || page->json[0] == 0) {
            status = Status::Fail;
            reason = "the test process " + exit.describe();
        } else {
            auto out = nlohmann::json::parse(page->json);
            status = *parse_status(out["status"].get<std::string>());
            reason = out["reason"].get<std::string>();
            details = out["details"];
        }
    }

    auto fail_with = [&](const std::string& why) {
        if (status != Status::Fail) {
            status = Status::Fail;
            reason = why;
        } else {
            reason += "; " + why;
        }
    };
    if (auto error = destroy_cgroup_tree(root); !error.empty())
        fail_with(error);
    if (backend) {
        try {
            backend->teardown();
        } catch (const std::exception& e) {
            fail_with(e.what());
        }
        backend.reset();
    }
    for (const auto& error : knobs.restore())
        fail_with(error);
    if (auto residue = check_residue(); !residue.empty())
        fail_with(residue);
    result.leak = check_vswap_leaks();
    if (result.leak.status == "fail")
        fail_with(result.leak.reason);
    result.details = details;
    return finish(status, reason);
}

std::string uname_text() {
    struct utsname u {};
    uname(&u);
    return std::string(u.release) + " " + u.version;
}

} // namespace

std::vector<TestResult> run_tests(const std::vector<const TestCase*>& tests,
                                  const RunOptions& options) {
    RunInfo info;
    const char* kernel = std::getenv("VSWAP_KERNEL");
    struct utsname u {};
    uname(&u);
    info.kernel = kernel && *kernel ? kernel : u.release;
    info.uname = uname_text();
    info.vswap_dir = fs::is_directory(sysfs::kVswapDebugDir);
    const double start = now_s();

    std::printf("%s", tap_header(tests.size()).c_str());
    std::printf("# vswap-guest test on %s (%s)\n", info.kernel.c_str(), info.uname.c_str());
    std::fflush(stdout);
    std::vector<TestResult> results;
    for (size_t i = 0; i < tests.size(); ++i) {
        TestResult r;
        if (options.budget_s > 0 && now_s() - start > options.budget_s) {
            r.name = tests[i]->name;
            r.status = Status::Skip;
            r.reason = "not run: the suite's time budget of " +
                       std::to_string(int(options.budget_s)) + " s ran out";
            r.leak.status = "not run";
        } else {
            r = run_one(*tests[i], options);
        }
        results.push_back(r);
        std::printf("# %s: %.1f s, leak check: %s%s%s", r.name.c_str(), r.seconds,
                    r.leak.status.c_str(), r.leak.reason.empty() ? "" : ": ",
                    r.leak.reason.c_str());
        if (r.leak.faulted_back)
            std::printf(" (%llu entries faulted back first)",
                        (unsigned long long)r.leak.faulted_back);
        std::printf("\n");
        std::printf("%s", tap_line(i + 1, r).c_str());
        std::fflush(stdout);
        if (options.json_path) {
            info.seconds = now_s() - start;
            write_file_atomic(*options.json_path, results_json(info, results).dump(2) + "\n");
        }
    }
    std::printf("%s", tap_totals(results).c_str());
    std::fflush(stdout);
    return results;
}

} // namespace vswap::tests
