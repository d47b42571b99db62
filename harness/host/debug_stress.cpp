#include "host/debug_stress.h"

#include "common/text.h"
#include "host/guest_suite.h"

#include <cstdio>

namespace vswap {
namespace fs = std::filesystem;
namespace {

constexpr const char* kResultsFile = "stress.json";

} // namespace

BootRequest debug_stress_request(const std::string& kernel, double minutes) {
    BootRequest request;
    request.kernel = kernel;
    request.mem_bytes = 512ull << 20;
    request.cpus = 2; // MTTCG: two vCPUs really run in parallel
    request.swap_disk = 512ull << 20;
    // (The debug variant boots with watchdog_thresh=60: see variants.cpp.)
    const double seconds = minutes * 60;
    // Both parts (1 + 0.5 of the time), the debug kernel's slow boot and
    // setup, and the stress tests' own slack.
    request.timeout_s = seconds * 1.5 + 900;
    request.command = {"vswap-guest", "test",
                       "--json",      std::string("/job/") + kResultsFile,
                       "--duration",  std::to_string(static_cast<long>(seconds)),
                       "stress.swap", "stress.failslab"};
    return request;
}

TestRun run_debug_stress(const Paths& paths, const std::string& kernel, double minutes, bool stream,
                         Progress& progress) {
    BootRequest request = debug_stress_request(kernel, minutes);
    request.stream = stream;
    progress.info("running the debug stress on " + kernel + " (" + format_seconds(minutes * 60) +
                  " + " + format_seconds(minutes * 30) + " with fault injection)");
    BootResult boot;
    TestRun run = boot_test_run(paths, "stress", request, progress, boot);
    run.figures["splat_count"] = boot.splats.size();
    run.figures["minutes_requested"] = minutes;
    const fs::path json = fs::path(boot.run_dir) / "job" / kResultsFile;
    if (auto text = read_file_if_exists(json)) {
        try {
            auto results = nlohmann::json::parse(*text);
            run.tests = records_from_guest_json(results);
            for (const auto& t : results.at("tests"))
                if (t.contains("details") && t["details"].contains("stress"))
                    run.figures[t.at("name").get<std::string>()] = t["details"]["stress"];
        } catch (const std::exception& e) {
            if (run.error.empty())
                run.error = "the guest's results " + json.string() + " are corrupt: " + e.what();
        }
    } else if (run.error.empty()) {
        run.error = "the guest wrote no results (" + json.string() + ")";
    }
    save_test_run(paths, run);
    return run;
}

std::string describe_stress(const TestRun& run) {
    std::string out;
    for (const auto& t : run.tests) {
        out += t.name + ": " + t.result;
        if (!t.reason.empty())
            out += " (" + t.reason + ")";
        if (run.figures.contains(t.name)) {
            const auto& f = run.figures[t.name];
            char line[512];
            std::snprintf(line, sizeof line,
                          "; %.1f min, %llu pages round-tripped (pswpin %llu, zswpin %llu), "
                          "usemem verified %llu MiB, %llu swapoff cycles",
                          f.value("minutes", 0.0),
                          (unsigned long long)f.value("pages_round_tripped", 0ull),
                          (unsigned long long)f.value("pswpin", 0ull),
                          (unsigned long long)f.value("zswpin", 0ull),
                          (unsigned long long)(f.value("usemem_verified_bytes", 0ull) >> 20),
                          (unsigned long long)f.value("swapoff_cycles", 0ull));
            out += line;
            if (f.contains("injected_failures"))
                out += ", " + std::to_string(f["injected_failures"].get<uint64_t>()) +
                       " failures injected";
        }
        out += "\n";
    }
    out += "splats on the console: " + std::to_string(run.splats.size()) + "\n";
    for (const auto& s : run.splats)
        out += "  " + s + "\n";
    if (!run.error.empty())
        out += "run error: " + run.error + "\n";
    return out;
}

} // namespace vswap
