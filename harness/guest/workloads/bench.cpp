#include "guest/workloads/bench.h"

#include "common/text.h"
#include "guest/backend.h"
#include "guest/sysfs.h"
#include "guest/workloads/host_root.h"
#include "guest/workloads/latency.h"
#include "guest/workloads/workload_cgroup.h"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <getopt.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace vswap {
namespace fs = std::filesystem;
namespace {

constexpr const char* kScratchMount = "/mnt/scratch";
// Event counters whose deltas are metrics of every workload.
const char* const kVmstatMetrics[] = {"pswpout", "pswpin", "zswpout",
                                      "zswpin",  "zswpwb", "pgmajfault"};

struct Options {
    std::string backend;
    std::string out;
    std::string swap_device = "/dev/vda";
    std::string scratch_device;
    uint64_t swap_size = 0;
    std::optional<uint64_t> memory_max;
    std::vector<std::string> workload; // subcommand and its arguments
};

double seconds(const timeval& tv) {
    return tv.tv_sec + tv.tv_usec / 1e6;
}

nlohmann::json counters_json(const sysfs::Counters& c) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : c)
        j[k] = v;
    return j;
}

// Peaks of the cgroup's memory and of the vswap counters, sampled while the
// workload runs.
class Sampler {
public:
    Sampler(const WorkloadCgroup& cgroup) : cgroup_(cgroup) {
        thread_ = std::thread([this] {
            std::unique_lock lock(mutex_);
            do {
                sample();
            } while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; }));
            sample();
        });
    }
    ~Sampler() { stop(); }
    void stop() {
        if (!thread_.joinable())
            return;
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    const std::map<std::string, uint64_t>& peaks() const { return peaks_; }
    unsigned samples() const { return samples_; }

private:
    void note(const std::string& key, uint64_t value) {
        auto& p = peaks_[key];
        p = std::max(p, value);
    }
    void sample() {
        ++samples_;
        for (const char* f : {"memory.current", "memory.swap.current", "memory.zswap.current"}) {
            if (auto v = cgroup_.read_number(f))
                note(f, *v);
        }
        try {
            if (auto v = sysfs::read_vswap_counters()) {
                for (const auto& [k, value] : v->values)
                    note("vswap." + k, value);
            }
        } catch (const std::exception&) {
            // A counter file that cannot be read is reported by the leak check.
        }
    }

    const WorkloadCgroup& cgroup_;
    std::map<std::string, uint64_t> peaks_;
    unsigned samples_ = 0;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

// After teardown every vswap counter but alloc_failures should read 0;
// freeing can lag, so poll for a few seconds.
nlohmann::json vswap_leak_check() {
    nlohmann::json j;
    std::optional<sysfs::VswapCounters> c;
    for (int i = 0; i < 50; ++i) {
        c = sysfs::read_vswap_counters();
        if (!c) {
            j["leak_check"] = "not supported: no " + std::string(sysfs::kVswapDebugDir);
            return j;
        }
        bool zero = true;
        for (const auto& [k, v] : c->values)
            zero &= sysfs::is_cumulative_vswap_counter(k) || v == 0;
        if (zero)
            break;
        usleep(100000);
    }
    j["after_teardown"] = counters_json(c->values);
    std::string nonzero;
    for (const auto& [k, v] : c->values) {
        if (!sysfs::is_cumulative_vswap_counter(k) && v != 0)
            nonzero += (nonzero.empty() ? "" : ", ") + k + "=" + std::to_string(v);
    }
    if (!nonzero.empty())
        j["leak_check"] = "counters not back to 0: " + nonzero;
    else if (!c->missing.empty())
        j["leak_check"] = "not run: counter " + c->missing.front() + " not provided by this kernel";
    else
        j["leak_check"] = "ok";
    return j;
}

void write_result(const std::string& path, const nlohmann::json& j) {
    const std::string text = j.dump(1) + "\n";
    if (path.empty()) {
        std::fputs(text.c_str(), stdout);
        return;
    }
    const std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f || std::fputs(text.c_str(), f) < 0 || std::fclose(f) != 0 ||
        std::rename(tmp.c_str(), path.c_str()) != 0)
        std::fprintf(stderr, "bench: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
}

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: vswap-guest bench --backend NAME [--swap-device DEV] [--scratch-device "
                 "DEV]\n"
                 "                         [--swap-size SIZE] [--memory-max SIZE] [--out FILE]\n"
                 "                         -- WORKLOAD [ARGS...]\n"
                 "Sets up the backend (disk, swapfile, zram, zswap, zswap-only), runs\n"
                 "'vswap-guest WORKLOAD --json ARGS' in a fresh cgroup and writes one JSON\n"
                 "result (stdout, or FILE) with its metrics, times, /proc/vmstat and memory.stat\n"
                 "deltas, cgroup peaks and vswap counters. The scratch disk, when given, is\n"
                 "mounted at %s. Exits 0 when the workload succeeded.\n",
                 kScratchMount);
}

std::optional<Options> parse(int argc, char** argv) {
    Options o;
    enum { kBackend = 1000, kOut, kSwapDevice, kScratchDevice, kSwapSize, kMemoryMax, kHelp };
    static const option longopts[] = {
        {"backend", required_argument, nullptr, kBackend},
        {"out", required_argument, nullptr, kOut},
        {"swap-device", required_argument, nullptr, kSwapDevice},
        {"scratch-device", required_argument, nullptr, kScratchDevice},
        {"swap-size", required_argument, nullptr, kSwapSize},
        {"memory-max", required_argument, nullptr, kMemoryMax},
        {"help", no_argument, nullptr, kHelp},
        {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longopts, nullptr)) != -1) {
        switch (c) {
        case kBackend:
            o.backend = optarg;
            break;
        case kOut:
            o.out = optarg;
            break;
        case kSwapDevice:
            o.swap_device = optarg;
            break;
        case kScratchDevice:
            o.scratch_device = optarg;
            break;
        case kSwapSize:
        case kMemoryMax: {
            auto size = parse_size(optarg);
            if (!size || *size == 0) {
                std::fprintf(stderr, "bench: '%s' is not a size (e.g. 64M)\n", optarg);
                return std::nullopt;
            }
            if (c == kSwapSize)
                o.swap_size = *size;
            else
                o.memory_max = *size;
            break;
        }
        case 'h':
        case kHelp:
            usage(stdout);
            std::exit(0);
        default:
            usage(stderr);
            return std::nullopt;
        }
    }
    for (int i = optind; i < argc; ++i)
        o.workload.push_back(argv[i]);
    if (o.backend.empty() || o.workload.empty()) {
        usage(stderr);
        return std::nullopt;
    }
    return o;
}

// Workloads with a --prepare step (see their --help).
const std::set<std::string> kPreparedWorkloads = {"kbuild", "pageswap"};

bool is_mounted(const std::string& where) {
    auto mounts = sysfs::read_text_if_exists("/proc/mounts").value_or("");
    for (const auto& line : split_lines(mounts)) {
        auto fields = split(line, ' ');
        if (fields.size() > 1 && fields[1] == where)
            return true;
    }
    return false;
}

} // namespace

const std::vector<std::string>& bench_common_metric_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n = {"wall_s",         "user_s",          "sys_s",
                                      "cgroup_cpu_s",   "cgroup_user_s",   "cgroup_sys_s",
                                      "irq_s",          "memory_peak_mib", "swap_peak_mib",
                                      "zswap_peak_mib", "oom_kills"};
        for (const char* k : kVmstatMetrics)
            n.push_back(k);
        return n;
    }();
    return names;
}

int bench_main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (!parsed)
        return 2;
    const Options o = *parsed;
    nlohmann::json result = {{"schema", "vswap-bench/1"},
                             {"workload", o.workload[0]},
                             {"backend", o.backend},
                             {"argv", o.workload},
                             {"memory_max", o.memory_max ? nlohmann::json(*o.memory_max) : nullptr},
                             {"ok", false},
                             {"not_supported", false},
                             {"error", ""},
                             {"metrics", nlohmann::json::object()}};
    auto fail = [&](const std::string& error) {
        result["error"] = error;
        std::fprintf(stderr, "bench: %s\n", error.c_str());
        write_result(o.out, result);
        return 1;
    };
    result["kernel"] = trim(sysfs::read_text_if_exists("/proc/sys/kernel/osrelease").value_or(""));

    auto kind = parse_backend(o.backend);
    if (!kind)
        return fail("unknown backend '" + o.backend +
                    "'; use disk, swapfile, zram, zswap or zswap-only");
    BackendOptions bo;
    bo.swap_device = o.swap_device;
    if (!o.scratch_device.empty())
        bo.scratch_device = o.scratch_device;
    bo.scratch_mount = kScratchMount;
    bo.size_bytes = o.swap_size;
    if (auto check = check_backend(*kind, bo); !check.available()) {
        result["not_supported"] = check.status == BackendCheck::Status::NotSupported;
        return fail(std::string(backend_name(*kind)) + ": " + check.reason);
    }

    try {
        Backend backend(*kind, bo);
        result["backend_setup"] = backend.describe();
        // The workload's own files (swapoff's mapped file, kbuild's tree) go
        // to the scratch disk.
        bool mounted_scratch = false;
        if (!o.scratch_device.empty() && !is_mounted(kScratchMount)) {
            fs::create_directories(kScratchMount);
            if (mount(o.scratch_device.c_str(), kScratchMount, "ext4", 0, nullptr) != 0)
                return fail("cannot mount " + o.scratch_device + " on " + kScratchMount + ": " +
                            std::strerror(errno));
            mounted_scratch = true;
        }
        sync();
        sysfs::try_write_text("/proc/sys/vm/drop_caches", "3");
        if (kPreparedWorkloads.count(o.workload[0])) {
            // Outside the cgroup and the timing: unpack inputs, warm the
            // page cache of the host-root programs the workload runs.
            std::vector<std::string> prepare = {"/proc/self/exe", o.workload[0], "--prepare"};
            prepare.insert(prepare.end(), o.workload.begin() + 1, o.workload.end());
            const uint64_t t0 = monotonic_ns();
            int rc = run_in_guest(prepare);
            result["prepare_s"] = (monotonic_ns() - t0) / 1e9;
            if (rc != 0)
                return fail(o.workload[0] + " --prepare failed (exit status " + std::to_string(rc) +
                            ")");
        }

        WorkloadCgroup cgroup("vswap-bench", o.memory_max);
        const auto vmstat_before = sysfs::read_vmstat();
        const auto cpu_before = cgroup.cpu_stat();
        const auto memory_stat_before = cgroup.memory_stat();
        const auto vswap_before = sysfs::read_vswap_counters();
        const uint64_t interrupt_before = sysfs::read_interrupt_ticks();
        const std::string out_file = "/tmp/bench-workload.json";
        const std::string err_file = "/tmp/bench-workload.err";

        Sampler sampler(cgroup);
        const uint64_t start = monotonic_ns();
        pid_t pid = fork();
        if (pid == 0) {
            try {
                cgroup.enter();
            } catch (const std::exception& e) {
                std::fprintf(stderr, "bench: %s\n", e.what());
                _exit(126);
            }
            int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out < 0 || err < 0)
                _exit(126);
            dup2(out, STDOUT_FILENO);
            dup2(err, STDERR_FILENO);
            std::vector<std::string> args = {"vswap-guest", o.workload[0], "--json"};
            args.insert(args.end(), o.workload.begin() + 1, o.workload.end());
            std::vector<char*> cargv;
            for (auto& a : args)
                cargv.push_back(a.data());
            cargv.push_back(nullptr);
            execv("/proc/self/exe", cargv.data());
            _exit(127);
        }
        if (pid < 0)
            return fail(std::string("fork: ") + std::strerror(errno));
        int status = 0;
        rusage ru{};
        while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
        }
        const double wall = (monotonic_ns() - start) / 1e9;
        const double interrupt_s =
            double(sysfs::read_interrupt_ticks() - interrupt_before) / double(sysconf(_SC_CLK_TCK));
        sampler.stop();

        const auto vmstat_delta = sysfs::counter_delta(vmstat_before, sysfs::read_vmstat());
        const auto cpu_delta = sysfs::counter_delta(cpu_before, cgroup.cpu_stat());
        const auto memory_stat = cgroup.memory_stat();
        const auto events = cgroup.memory_events();
        const auto peak = cgroup.read_number("memory.peak");
        std::string stderr_text = sysfs::read_text_if_exists(err_file).value_or("");
        if (!stderr_text.empty())
            std::fputs(stderr_text.c_str(), stderr);
        if (auto e = cgroup.destroy(); !e.empty())
            std::fprintf(stderr, "bench: %s\n", e.c_str());

        nlohmann::json& m = result["metrics"];
        m["wall_s"] = wall;
        m["user_s"] = seconds(ru.ru_utime);
        m["sys_s"] = seconds(ru.ru_stime);
        auto usec = [&](const char* k) { return cpu_delta.count(k) ? cpu_delta.at(k) / 1e6 : 0.0; };
        m["cgroup_cpu_s"] = usec("usage_usec");
        m["cgroup_user_s"] = usec("user_usec");
        m["cgroup_sys_s"] = usec("system_usec");
        m["irq_s"] = interrupt_s;
        for (const char* k : kVmstatMetrics)
            m[k] = vmstat_delta.count(k) ? vmstat_delta.at(k) : 0;
        auto mib = [](uint64_t bytes) { return bytes / 1048576.0; };
        const auto& peaks = sampler.peaks();
        m["memory_peak_mib"] =
            mib(peak.value_or(peaks.count("memory.current") ? peaks.at("memory.current") : 0));
        m["swap_peak_mib"] =
            mib(cgroup.read_number("memory.swap.peak")
                    .value_or(peaks.count("memory.swap.current") ? peaks.at("memory.swap.current")
                                                                 : 0));
        m["zswap_peak_mib"] =
            mib(peaks.count("memory.zswap.current") ? peaks.at("memory.zswap.current") : 0);
        m["oom_kills"] = events.count("oom_kill") ? events.at("oom_kill") : 0;

        result["rusage"] = {{"wall_s", wall},
                            {"user_s", seconds(ru.ru_utime)},
                            {"sys_s", seconds(ru.ru_stime)},
                            {"maxrss_kb", ru.ru_maxrss},
                            {"majflt", ru.ru_majflt},
                            {"minflt", ru.ru_minflt}};
        result["cpu_stat_delta"] = counters_json(cpu_delta);
        result["vmstat_delta"] = counters_json(vmstat_delta);
        result["memory_stat"] = counters_json(memory_stat);
        result["memory_stat_delta"] =
            counters_json(sysfs::counter_delta(memory_stat_before, memory_stat));
        result["memory_events"] = counters_json(events);
        nlohmann::json sampled = nlohmann::json::object();
        for (const auto& [k, v] : peaks)
            sampled[k] = v;
        result["peaks"] = {{"samples", sampler.samples()}, {"max", sampled}};
        result["stderr"] = last_lines(stderr_text, 20);

        // The workload's own report.
        std::string error;
        const std::string out_text = sysfs::read_text_if_exists(out_file).value_or("");
        try {
            auto w = nlohmann::json::parse(out_text);
            if (w.contains("metrics") && w["metrics"].is_object()) {
                for (const auto& [k, v] : w["metrics"].items())
                    m[k] = v;
            }
            if (!w.value("ok", false))
                error = w.value("error", std::string("the workload reported a failure"));
            result["result"] = std::move(w);
            // A workload that runs for a fixed time (stress-ng) does more
            // work on a faster kernel and uses more CPU for it: its cost is
            // the CPU per unit of work.
            if (m.contains("bogo_ops") && m["bogo_ops"].get<double>() > 0)
                m["cpu_ms_per_op"] =
                    m["cgroup_cpu_s"].get<double>() * 1e3 / m["bogo_ops"].get<double>();
        } catch (const nlohmann::json::exception&) {
            error = "the workload printed no JSON result";
            result["result"] = nullptr;
        }
        if (WIFSIGNALED(status)) {
            error = "the workload was killed by signal " + std::to_string(WTERMSIG(status)) +
                    (m["oom_kills"].get<uint64_t>()
                         ? " (OOM killer: memory.events oom_kill=" +
                               std::to_string(m["oom_kills"].get<uint64_t>()) + ")"
                         : "");
        } else if (WEXITSTATUS(status) != 0 && error.empty()) {
            error = "the workload exited with status " + std::to_string(WEXITSTATUS(status)) +
                    (stderr_text.empty() ? "" : ": " + trim(last_lines(stderr_text, 2)));
        }
        // Every workload is meant to swap: one that swapped nothing out
        // measured something else (a backend that took no page).
        uint64_t swapped_out = 0;
        for (const char* k : {"pswpout", "zswpout", "swpout_zero"})
            swapped_out += vmstat_delta.count(k) ? vmstat_delta.at(k) : 0;
        // A vswap kernel stores pages of one non-zero word with no vmstat event.
        if (auto now = sysfs::read_vswap_counters(); now && vswap_before) {
            const auto filled = sysfs::counter_delta(vswap_before->values, now->values);
            swapped_out += filled.count("filled_out") ? filled.at("filled_out") : 0;
        }
        if (error.empty() && swapped_out == 0)
            error = "no page was swapped out (pswpout, zswpout, swpout_zero and vswap's "
                    "filled_out did not rise): the " +
                    o.backend + " backend took nothing";
        if (error.empty() && m["oom_kills"].get<uint64_t>())
            error = "the OOM killer killed " + std::to_string(m["oom_kills"].get<uint64_t>()) +
                    " process(es) of the workload";
        result["exit_status"] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

        backend.teardown();
        if (mounted_scratch)
            umount(kScratchMount);
        nlohmann::json vswap = vswap_leak_check();
        if (vswap_before)
            vswap["before"] = counters_json(vswap_before->values);
        result["vswap"] = vswap;
        for (const auto& [k, v] : peaks) {
            if (k.rfind("vswap.", 0) == 0)
                m["vswap_" + k.substr(6) + "_peak"] = v;
        }
        if (!error.empty())
            return fail(error);
        result["ok"] = true;
        write_result(o.out, result);
        return 0;
    } catch (const BackendError& e) {
        return fail(e.what());
    } catch (const sysfs::SysfsError& e) {
        return fail(e.what());
    } catch (const std::exception& e) {
        return fail(std::string("bench: ") + e.what());
    }
}

} // namespace vswap
