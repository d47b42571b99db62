// Stress for the debug kernel: stress-ng --pageswap, verified usemem runs
// under memory.max and a swapoff/swapon loop on a second device, all at
// once for a set time; then the same with failslab (and fail_page_alloc
// where present) injecting failures into vswap's own allocations only.
// Pass: no data mismatch, no crash (the host scans the console for splats),
// counters back to 0 (the runner's leak check).
#include "common/text.h"
#include "guest/sysfs.h"
#include "guest/tests/cgroup.h"
#include "guest/tests/child.h"
#include "guest/tests/memory.h"
#include "guest/tests/suites.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace vswap::tests {
namespace fs = std::filesystem;
namespace {

const fs::path kFailslab = "/sys/kernel/debug/failslab";
const fs::path kFailPageAlloc = "/sys/kernel/debug/fail_page_alloc";
constexpr int kInjectionBudget = 1000000; // "times": counts down per injected failure

struct Stats {
    std::atomic<int> stop{0};
    std::atomic<uint64_t> usemem_runs{0}, usemem_bytes{0}, usemem_oom{0};
    std::atomic<uint64_t> corrupt_pages{0}, usemem_errors{0};
    std::atomic<uint64_t> swapoff_cycles{0}, swapoff_enomem{0}, swapoff_errors{0};
    char last_error[512];
};

std::string self_exe() {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        fail("cannot read /proc/self/exe");
    path[n] = 0;
    return path;
}

void set_error(Stats& stats, const std::string& text) {
    std::snprintf(stats.last_error, sizeof stats.last_error, "%s", text.c_str());
}

// Runs `usemem -n 2` over and over in a cgroup that holds half of it.
int usemem_loop(Stats& stats, const fs::path& cgroup, double deadline) {
    const std::string exe = self_exe();
    const fs::path out = "/tmp/stress-usemem.out";
    // Small enough that a KASAN kernel under TCG finishes a run in well
    // under the 300 s that count as a hang, with stress-ng beside it.
    const uint64_t per_process = 16 * MiB;
    auto now = [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    };
    while (!stats.stop && now() < deadline) {
        // Alternate compressible runs (zswap keeps them) with random ones
        // (zswap rejects them: they go to the devices).
        const char* content = stats.usemem_runs % 2 ? "random" : "compressible";
        auto child = ChildProcess::exec({exe, "usemem", "-n", "2", "-O", "--content", content,
                                         "--json", std::to_string(per_process)},
                                        cgroup, out);
        ChildExit e = child.wait(300);
        std::string text = sysfs::read_text_if_exists(out).value_or("");
        uint64_t corrupt = 0;
        for (const auto& line : split_lines(text)) {
            if (line.empty() || line[0] != '{')
                continue;
            try {
                corrupt = nlohmann::json::parse(line).value("corrupt_pages", uint64_t(0));
            } catch (const std::exception&) {
            }
        }
        ++stats.usemem_runs;
        if (corrupt) {
            stats.corrupt_pages += corrupt;
            set_error(stats, "usemem: " + last_lines(text, 3));
        } else if (e.ok()) {
            stats.usemem_bytes += 2 * per_process;
        } else if (text.find("signal 9") != std::string::npos || e.killed_by(SIGKILL)) {
            ++stats.usemem_oom;
        } else {
            ++stats.usemem_errors;
            set_error(stats, "usemem " + e.describe() + ": " + last_lines(text, 3));
        }
    }
    return 0;
}

// swapoff / swapon of the second device until told to stop.
int swapoff_loop(Stats& stats, const fs::path& area) {
    while (!stats.stop) {
        std::this_thread::sleep_for(std::chrono::seconds(2));
        int error = try_swap_off(area);
        if (error == ENOMEM) {
            ++stats.swapoff_enomem; // no room to bring the pages back: allowed
            continue;
        }
        if (error) {
            ++stats.swapoff_errors;
            set_error(stats, "swapoff " + area.string() + ": " + std::strerror(error));
            continue;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (int e = try_swap_on(area, 10)) {
            ++stats.swapoff_errors;
            set_error(stats, "swapon " + area.string() + ": " + std::strerror(e));
            return 1;
        }
        ++stats.swapoff_cycles;
    }
    return 0;
}

// The address range of vswap's code, from /proc/kallsyms: the first
// vswap_* function to the symbol after the last one, within the kernel's
// text proper (_stext.._etext: vswap_init and other __init code sit far
// away in .init.text, and the range would cover most of the kernel).
std::optional<std::pair<uint64_t, uint64_t>> vswap_text_range(TestContext& ctx) {
    std::istringstream in(sysfs::read_text("/proc/kallsyms"));
    std::vector<std::pair<uint64_t, std::string>> text;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string addr, type, name;
        fields >> addr >> type >> name;
        if (type == "t" || type == "T")
            text.emplace_back(std::stoull(addr, nullptr, 16), name);
    }
    std::sort(text.begin(), text.end());
    uint64_t stext = 0, etext = UINT64_MAX;
    for (const auto& [addr, name] : text) {
        if (name == "_stext")
            stext = addr;
        else if (name == "_etext")
            etext = addr;
    }
    std::optional<size_t> first, last;
    for (size_t i = 0; i < text.size(); ++i)
        if ((text[i].second.rfind("vswap_", 0) == 0 || text[i].second.rfind("__vswap_", 0) == 0) &&
            text[i].first >= stext && text[i].first < etext) {
            if (!first)
                first = i;
            last = i;
        }
    if (!first || text[*first].first == 0)
        return std::nullopt;
    uint64_t end = *last + 1 < text.size() ? text[*last + 1].first : text[*last].first + 4096;
    ctx.note("vswap_text", {{"first", text[*first].second},
                            {"last", text[*last].second},
                            {"bytes", end - text[*first].first}});
    return std::make_pair(text[*first].first, end);
}

std::string hex(uint64_t v) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%llx", (unsigned long long)v);
    return text;
}

// Sets up injection limited to vswap; returns the attributes armed.
std::vector<fs::path> arm_fault_injection(TestContext& ctx) {
    if (!fs::exists(kFailslab / "probability"))
        not_supported("no failslab in debugfs (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)");
    auto range = vswap_text_range(ctx);
    if (!range)
        skip("not run: no vswap_* function in /proc/kallsyms, so there is nothing to limit "
             "the injection to");
    if (!fs::exists(kFailslab / "require-start"))
        skip("not run: failslab cannot be limited to vswap's allocations without "
             "CONFIG_FAULT_INJECTION_STACKTRACE_FILTER (requested in /work/notes/requests.md)");
    std::vector<fs::path> armed;
    for (const fs::path& dir : {kFailslab, kFailPageAlloc}) {
        if (!fs::exists(dir / "require-start"))
            continue;
        auto set = [&](const std::string& name, const std::string& value) {
            if (fs::exists(dir / name))
                sysfs::write_text(dir / name, value);
        };
        set("require-start", hex(range->first));
        set("require-end", hex(range->second));
        set("stacktrace-depth", "32");
        set("task-filter", "N");
        set("ignore-gfp-wait", "N");
        set("verbose", "0");
        set("interval", "1");
        set("space", "0");
        set("times", std::to_string(kInjectionBudget));
        set("probability", "10");
        armed.push_back(dir);
    }
    return armed;
}

uint64_t injected(const std::vector<fs::path>& armed) {
    uint64_t total = 0;
    for (const auto& dir : armed) {
        auto times = trim(sysfs::read_text(dir / "times"));
        long left = std::stol(times);
        total += left >= 0 ? kInjectionBudget - left : 0;
    }
    return total;
}

void disarm(const std::vector<fs::path>& armed) {
    for (const auto& dir : armed)
        sysfs::try_write_text(dir / "probability", "0");
}

void stress(TestContext& ctx, bool inject) {
    const double seconds = ctx.duration_s();
    std::vector<fs::path> armed;
    if (inject)
        armed = arm_fault_injection(ctx);
    struct Disarm {
        const std::vector<fs::path>& armed;
        ~Disarm() { disarm(armed); }
    } disarm_at_end{armed};

    // A second device to cycle: zram at a higher priority than the disk.
    BackendOptions zo;
    zo.size_bytes = 64 * MiB;
    zo.priority = 10;
    disarm(armed); // setting up is not under test
    Backend zram(BackendKind::Zram, zo);
    Cgroup usemem_cg(ctx.cgroup_root(), "usemem");
    usemem_cg.set("memory.max", std::to_string(48 * MiB));
    Cgroup stressng_cg(ctx.cgroup_root(), "stress-ng");
    stressng_cg.set("memory.max", std::to_string(96 * MiB));
    for (const auto& dir : armed)
        sysfs::write_text(dir / "probability", "10");

    const auto vm0 = sysfs::read_vmstat();
    const uint64_t in0 = swapped_in_total();
    const auto vs0 = sysfs::read_vswap_counters();
    const double start =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    Shared<Stats> stats;
    const fs::path stressng_out = "/tmp/stress-ng.out";
    const std::string seconds_text = std::to_string(int(seconds)) + "s";
    auto stressng = ChildProcess::exec({"/bin/busybox", "chroot", "/host", "/bin/sh", "-c",
                                        "cd /tmp && exec stress-ng --pageswap 2 --timeout " +
                                            seconds_text + " --metrics-brief --temp-path /tmp"},
                                       stressng_cg.path(), stressng_out);
    ChildProcess usemem([&] { return usemem_loop(*stats, usemem_cg.path(), start + seconds); });
    ChildProcess cycler([&] { return swapoff_loop(*stats, *zram.swap_area()); });

    ChildExit ng = stressng.wait(seconds + 120);
    ChildExit um = usemem.wait(seconds + 300);
    stats->stop = 1;
    ChildExit cy = cycler.wait(120);
    const uint64_t faults = inject ? injected(armed) : 0;
    disarm(armed);
    const double ran =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count() -
        start;
    auto vm = sysfs::counter_delta(vm0, sysfs::read_vmstat());
    const std::string ng_text = sysfs::read_text_if_exists(stressng_out).value_or("");
    nlohmann::json figures = {{"minutes", ran / 60},
                              {"pswpout", vm["pswpout"]},
                              {"pswpin", vm["pswpin"]},
                              {"zswpout", vm["zswpout"]},
                              {"zswpin", vm["zswpin"]},
                              {"zswpwb", vm["zswpwb"]},
                              {"swpout_zero", vm["swpout_zero"]},
                              {"swpin_zero", vm["swpin_zero"]},
                              {"pages_round_tripped", swapped_in_total() - in0},
                              {"oom_kill", vm["oom_kill"]},
                              {"usemem_runs", stats->usemem_runs.load()},
                              {"usemem_verified_bytes", stats->usemem_bytes.load()},
                              {"usemem_oom_killed", stats->usemem_oom.load()},
                              {"corrupt_pages", stats->corrupt_pages.load()},
                              {"swapoff_cycles", stats->swapoff_cycles.load()},
                              {"swapoff_enomem", stats->swapoff_enomem.load()},
                              {"stress_ng", ng.describe()},
                              {"stress_ng_output", last_lines(ng_text, 6)}};
    if (inject) {
        figures["injected_failures"] = faults;
        auto vs = sysfs::read_vswap_counters();
        if (vs0 && vs && vs->values.count("alloc_failures") && vs0->values.count("alloc_failures"))
            figures["vswap_alloc_failures"] =
                vs->values.at("alloc_failures") - vs0->values.at("alloc_failures");
    }
    ctx.note("stress", figures);

    require(stats->corrupt_pages == 0, "usemem found " +
                                           std::to_string(stats->corrupt_pages.load()) +
                                           " corrupt pages: " + stats->last_error);
    require(stats->usemem_errors == 0, "usemem failed: " + std::string(stats->last_error));
    require(um.ok(), "the usemem loop " + um.describe());
    require(stats->swapoff_errors == 0 && cy.ok(),
            "the swapoff loop failed: " + std::string(stats->last_error));
    require(!ng.timed_out, "stress-ng did not finish (hang?)");
    require(ng.ok(), "stress-ng " + ng.describe() + ": " + last_lines(ng_text, 4));
    require(stats->usemem_runs > 0 && stats->usemem_bytes > 0,
            "no usemem run completed and verified its data");
    require(stats->swapoff_cycles > 0, "no swapoff/swapon cycle completed");
    require(vm["pswpin"] + vm["zswpin"] > 0, "no page came back from swap: nothing was tested");
    if (inject)
        require(faults > 0, "no failure was injected into vswap's allocations");
    zram.teardown();
}

TestCase make(const std::string& name, const std::string& summary, bool inject, double share) {
    TestCase t;
    t.name = name;
    t.summary = summary;
    t.backend = BackendKind::Zswap;
    t.explicit_only = true;
    t.duration_share = share;
    t.timeout_s = 600;
    t.body = [inject](TestContext& ctx) { stress(ctx, inject); };
    return t;
}

} // namespace

void add_stress_tests(std::vector<TestCase>& tests) {
    tests.push_back(make("stress.swap",
                         "stress-ng --pageswap + usemem + swapoff loop for --duration seconds",
                         false, 1.0));
    tests.push_back(make("stress.failslab",
                         "the same for half of --duration with failures injected into vswap's "
                         "allocations",
                         true, 0.5));
}

} // namespace vswap::tests
