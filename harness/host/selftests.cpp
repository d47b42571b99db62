#include "host/selftests.h"

#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/git.h"
#include "host/guest_suite.h"
#include "host/kernel_source.h"

namespace vswap {
namespace fs = std::filesystem;
namespace {

// What `make headers` and the selftests' Makefiles need from the tree.
const std::vector<std::string> kSourcePaths = {
    "Makefile",     "Kbuild", "Kconfig", "scripts",      "include",      "arch/x86",
    "arch/Kconfig", "tools",  "usr",     "init/Kconfig", "mm/gup_test.h"};

fs::path selftests_dir(const Paths& paths) {
    return paths.build() / "selftests";
}

// kselftest's exit codes.
constexpr int kKsftSkip = 4;

} // namespace

const std::vector<Selftest>& selftests() {
    static const std::vector<Selftest> all = {
        // About 45, 17 and 20 s on baseline under TCG; the limits bound a
        // kernel that hangs.
        {"cow", "mm", 300},
        {"test_zswap", "cgroup", 180},
        {"test_memcontrol", "cgroup", 180},
    };
    return all;
}

fs::path selftest_bin_dir(const Paths& paths) {
    return selftests_dir(paths) / "bin";
}

void ensure_selftests(const Paths& paths, Progress& progress) {
    const fs::path repo = paths.series_tree();
    if (!git_ref_exists(repo, kSeriesBranch))
        throw UserError("no " + std::string(kSeriesBranch) + " branch in " + repo.string() +
                            " to build the selftests from",
                        "run 'scripts/vswap patches apply' first");
    // Rebuilt whenever the series changes: it takes seconds.
    const std::string series = git_rev(repo, kSeriesBranch);
    const fs::path dir = selftests_dir(paths);
    const fs::path stamp = dir / "stamp";
    bool complete = true;
    for (const auto& t : selftests())
        complete &= fs::exists(selftest_bin_dir(paths) / t.name);
    if (complete && trim(read_file_if_exists(stamp).value_or("")) == series)
        return;

    progress.info("building the kernel selftests (cow, test_zswap, test_memcontrol) from the " +
                  std::string(kSeriesBranch) + " branch");
    const fs::path src = dir / "src";
    const fs::path log = dir / "build.log";
    fs::remove_all(src);
    fs::remove_all(selftest_bin_dir(paths));
    fs::create_directories(src);
    fs::create_directories(selftest_bin_dir(paths));
    RunOptions quiet;
    quiet.output = Output::File;
    quiet.output_file = log;
    std::string archive =
        "git -C " + shell_quote(repo.string()) + " archive " + std::string(kSeriesBranch);
    for (const auto& p : kSourcePaths)
        archive += " " + shell_quote(p);
    archive += " | tar -x -C " + shell_quote(src.string());
    run_checked({"bash", "-c", "set -o pipefail; " + archive}, quiet, "see " + log.string());
    quiet.append = true;
    run_checked({"make", "-s", "-C", src.string(), "headers"}, quiet,
                "installing the UAPI headers failed; see " + log.string());
    for (const auto& t : selftests()) {
        const fs::path out = dir / "obj" / t.subdir;
        fs::create_directories(out);
        run_checked({"make", "-s", "-C", (src / "tools/testing/selftests" / t.subdir).string(),
                     "OUTPUT=" + out.string(), (out / t.name).string()},
                    quiet,
                    "building selftest " + t.name + " failed; see " + log.string() +
                        " (liburing-dev, gcc and make are needed)");
        if (!fs::exists(out / t.name))
            throw UserError("building selftest " + t.name + " produced no binary",
                            "see " + log.string());
        fs::copy_file(out / t.name, selftest_bin_dir(paths) / t.name,
                      fs::copy_options::overwrite_existing);
    }
    write_file_atomic(stamp, series + "\n");
}

BootRequest selftests_request(const Paths& paths, const std::string& kernel) {
    BootRequest request;
    request.kernel = kernel;
    request.mem_bytes = 512ull << 20;
    request.cpus = 2;
    request.swap_disk = 1ull << 30;
    request.scratch_disk = 512ull << 20;
    double timeout = 120;
    std::vector<std::string> args = {
        "sh", "/host" + (paths.root / "harness/tests/guest/selftests.sh").string(),
        selftest_bin_dir(paths).string()};
    for (const auto& t : selftests()) {
        args.push_back(t.name + ":" + std::to_string(static_cast<int>(t.timeout_s)));
        timeout += t.timeout_s;
    }
    request.timeout_s = timeout;
    request.command = args;
    return request;
}

std::vector<TestRecord> selftest_records(const std::string& name, const std::string& tap,
                                         std::optional<int> exit_status, double seconds) {
    std::vector<TestRecord> records = parse_kselftest_tap(tap, name);
    auto tail = [&] { return trim(last_lines(tap, 2)); };
    TestRecord run{name + ": run", "pass", "", seconds};
    if (!exit_status) {
        run.result = "fail";
        run.reason = "no exit status (the guest stopped before it finished)";
    } else if (*exit_status == 124 || *exit_status == 137) {
        run.result = "fail";
        run.reason = "killed after its timeout (" + std::to_string(*exit_status) + "): " + tail();
    } else if (*exit_status == kKsftSkip && records.empty()) {
        run.result = "skip";
        run.reason = tail();
    } else if (*exit_status > 128) {
        run.result = "fail";
        run.reason = "killed by signal " + std::to_string(*exit_status - 128) + ": " + tail();
    } else if (records.empty()) {
        run.result = "fail";
        run.reason =
            "exit status " + std::to_string(*exit_status) + " and no TAP output: " + tail();
    }
    // Exit status 1 with TAP records is kselftest's "some test failed":
    // those records say which.
    records.insert(records.begin(), run);
    return records;
}

void mark_flaky(std::vector<TestRecord>& first, const std::vector<TestRecord>& rerun) {
    for (auto& r : first) {
        if (r.result != "fail")
            continue;
        for (const auto& again : rerun)
            if (again.name == r.name && again.result == "pass") {
                r.result = "pass";
                r.reason = "flaky: failed the first run" +
                           (r.reason.empty() ? std::string() : " (" + r.reason + ")") +
                           ", passed the rerun";
            }
    }
}

TestRun run_selftests(const Paths& paths, const std::string& kernel, bool stream,
                      Progress& progress) {
    ensure_selftests(paths, progress);
    BootRequest request = selftests_request(paths, kernel);
    request.stream = stream;
    progress.info("running the kernel selftests on " + kernel);
    BootResult boot;
    TestRun run = boot_test_run(paths, "selftests", request, progress, boot);
    const fs::path out = fs::path(boot.run_dir) / "job" / "selftests";
    for (const auto& t : selftests()) {
        auto tap = read_file_if_exists(out / (t.name + ".tap")).value_or("");
        std::optional<int> status;
        if (auto rc = read_file_if_exists(out / (t.name + ".rc")); rc && !trim(*rc).empty())
            status = std::stoi(trim(*rc));
        double seconds = 0;
        if (auto s = read_file_if_exists(out / (t.name + ".seconds")); s && !trim(*s).empty())
            seconds = std::stod(trim(*s));
        auto records = selftest_records(t.name, tap, status, seconds);
        if (auto retry = read_file_if_exists(out / (t.name + ".retry.tap")))
            mark_flaky(records, parse_kselftest_tap(*retry, t.name));
        for (auto& r : records)
            run.tests.push_back(r);
        run.figures[t.name + "_seconds"] = seconds;
    }
    if (run.error.empty() && boot.exit_status && *boot.exit_status != 0)
        run.error = "the selftest script failed (status " + std::to_string(*boot.exit_status) +
                    "): " + trim(last_lines(boot.stdout_text + boot.stderr_text, 3));
    save_test_run(paths, run);
    return run;
}

} // namespace vswap
