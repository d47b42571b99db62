#include "host/hibernate_cycle.h"

#include "common/hibernate_protocol.h"
#include "common/text.h"
#include "host/boot.h"
#include "host/disk_image.h"
#include "host/guest_suite.h"

#include <optional>
#include <unistd.h>

namespace vswap {
namespace fs = std::filesystem;
namespace {

// The debug kernel (KASAN) needs room to copy the image.
constexpr uint64_t kGuestMemBytes = 512ull << 20;
// Room for the swapped-out pages and the image side by side.
constexpr uint64_t kSwapDiskBytes = 256ull << 20;
// Each boot: about 30 s under TCG, minutes on the debug kernel.
constexpr double kBootTimeoutS = 900;

BootRequest cycle_boot(const std::string& kernel, const fs::path& disk, const std::string& phase,
                       bool stream) {
    BootRequest request;
    request.kernel = kernel;
    request.mem_bytes = kGuestMemBytes;
    request.cpus = 1;
    request.swap_disk_image = disk;
    request.shares = false;
    request.append = std::string(kHibernateParam) + "=" + phase;
    if (phase == kHibernateResume)
        request.append += " resume=/dev/vda";
    request.timeout_s = kBootTimeoutS;
    request.stream = stream;
    return request;
}

// Judges one boot: a timeout or splat fails the cycle (boot_test_run()
// has made it the run's error), and so does the agent's report if it says
// so. Returns true when the boot left neither (boot 1 then hibernated as
// it should).
bool judge_boot(const BootResult& boot, const std::string& which, TestRun& run, TestRecord& test) {
    if (auto failure = boot.failure()) {
        run.error = test.reason = which + ": " + *failure + " (" + boot.run_dir + "/console.log)";
        return false;
    }
    auto report = find_hibernate_report(boot.stdout_text);
    if (!report)
        return true;
    run.figures = *report;
    test.result = report->value("result", "fail");
    test.reason = report->value("reason", "");
    return false;
}

} // namespace

std::optional<nlohmann::json> find_hibernate_report(const std::string& output) {
    const std::string prefix = kHibernateResultPrefix;
    for (const auto& line : split_lines(output)) {
        if (line.rfind(prefix, 0) != 0)
            continue;
        try {
            return nlohmann::json::parse(line.substr(prefix.size()));
        } catch (const std::exception& e) {
            return nlohmann::json{
                {"result", "fail"},
                {"reason", "the agent's report is corrupt: " + std::string(e.what())}};
        }
    }
    return std::nullopt;
}

TestRun run_hibernate_cycle(const Paths& paths, const std::string& kernel, bool stream,
                            Progress& progress) {
    fs::create_directories(paths.runs());
    DiskImage disk(paths.runs() / ("hibernate-" + kernel + "-" + std::to_string(getpid()) + ".img"),
                   kSwapDiskBytes);
    TestRecord test{kHibernateTest, "fail", "", 0};

    progress.info("hibernation cycle on " + kernel + ": boot 1 fills memory and hibernates");
    BootResult suspend;
    TestRun run = boot_test_run(paths, kHibernateKind,
                                cycle_boot(kernel, disk.path(), kHibernateSuspend, stream),
                                progress, suspend);
    if (judge_boot(suspend, "boot 1 (hibernate)", run, test)) {
        progress.info("hibernation cycle on " + kernel + ": boot 2 restores the image");
        BootResult resume;
        TestRun second = boot_test_run(paths, kHibernateKind,
                                       cycle_boot(kernel, disk.path(), kHibernateResume, stream),
                                       progress, resume);
        run.seconds += second.seconds;
        run.run_dir += " " + second.run_dir;
        run.splats.insert(run.splats.end(), second.splats.begin(), second.splats.end());
        if (judge_boot(resume, "boot 2 (restore)", run, test))
            run.error = test.reason =
                "boot 2 (restore) ended without the agent's report; stderr: " +
                trim(last_lines(resume.stderr_text, 3));
        // An agent that died in boot 1 leaves no image: say what it said.
        if (test.result != "pass" && !trim(suspend.stderr_text).empty())
            test.reason += "; boot 1's stderr: " + trim(last_lines(suspend.stderr_text, 3));
    }
    test.seconds = run.seconds;
    run.tests = {test};
    save_test_run(paths, run);
    return run;
}

} // namespace vswap
