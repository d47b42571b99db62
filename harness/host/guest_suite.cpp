#include "host/guest_suite.h"

#include "common/text.h"
#include "host/variants.h"

#include <algorithm>

namespace vswap {
namespace fs = std::filesystem;
namespace {

constexpr const char* kResultsFile = "guest-suite.json";

} // namespace

BootRequest guest_suite_request(const std::string& kernel, const std::vector<std::string>& tests) {
    BootRequest request;
    request.kernel = kernel;
    request.mem_bytes = 384ull << 20;
    request.cpus = 2;
    request.swap_disk = 256ull << 20;
    request.scratch_disk = 384ull << 20;
    // The suite takes about 3 minutes on an idle 2-core host under TCG. A
    // hanging kernel costs each test its timeout (2 min): after 15 minutes
    // (scaled for a slow variant: 60 for the debug kernel) the guest
    // reports the tests it did not start as not run, well before the guest
    // itself is killed.
    const double slowdown = std::max(1.0, find_variant(kernel).slowdown);
    const auto budget_s = static_cast<long>(900 * slowdown);
    request.timeout_s = budget_s + 420 * slowdown;
    request.command = {"vswap-guest", "test",
                       "--budget",    std::to_string(budget_s),
                       "--json",      std::string("/job/") + kResultsFile};
    request.command.insert(request.command.end(), tests.begin(), tests.end());
    return request;
}

TestRun boot_test_run(const Paths& paths, const std::string& kind, const BootRequest& request,
                      Progress& progress, BootResult& boot) {
    TestRun run;
    run.kind = kind;
    run.kernel = request.kernel;
    run.config_hash = kernel_config_hash(paths, request.kernel);
    run.image_hash = kernel_image_hash(paths, request.kernel);
    boot = boot_guest(paths, request, progress);
    run.when = utc_now();
    run.seconds = boot.seconds;
    run.run_dir = boot.run_dir;
    for (const auto& s : boot.splats)
        run.splats.push_back(s.kind + " at console line " + std::to_string(s.line) + ": " +
                             split_lines(s.text).front());
    if (auto failure = boot.failure())
        run.error = *failure;
    return run;
}

TestRun run_guest_suite(const Paths& paths, const std::string& kernel,
                        const std::vector<std::string>& tests, bool stream, Progress& progress) {
    BootRequest request = guest_suite_request(kernel, tests);
    request.stream = stream;
    progress.info("running the guest functional suite on " + kernel);
    BootResult boot;
    TestRun run = boot_test_run(paths, "guest-suite", request, progress, boot);
    const fs::path json = fs::path(boot.run_dir) / "job" / kResultsFile;
    if (auto text = read_file_if_exists(json)) {
        try {
            run.tests = records_from_guest_json(nlohmann::json::parse(*text));
        } catch (const std::exception& e) {
            if (run.error.empty())
                run.error = "the guest's results " + json.string() + " are corrupt: " + e.what();
        }
    } else if (run.error.empty()) {
        run.error = "the guest wrote no results (" + json.string() + "); exit status " +
                    (boot.exit_status ? std::to_string(*boot.exit_status) : "none") +
                    "; stderr: " + trim(last_lines(boot.stderr_text, 3));
    }
    if (run.error.empty() && boot.exit_status && *boot.exit_status != 0 && run.count("fail") == 0)
        run.error = "vswap-guest test exited with status " + std::to_string(*boot.exit_status) +
                    ": " + trim(last_lines(boot.stderr_text, 3));
    save_test_run(paths, run);
    return run;
}

} // namespace vswap
