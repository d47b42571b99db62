#include "guest/workloads/pageswap.h"

#include "common/text.h"
#include "guest/sysfs.h"
#include "guest/workloads/host_root.h"

#include <cstdio>
#include <getopt.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace vswap {
namespace {

void usage(FILE* out) {
    std::fprintf(out, "usage: vswap-guest pageswap [--seconds N] [--instances N] [--prepare] "
                      "[--json]\n"
                      "Runs 'stress-ng --pageswap N --timeout Ns --metrics' from the host root\n"
                      "(chroot /host) and reports its bogo ops. N seconds of the guest's clock\n"
                      "(default 15), 1 instance. --prepare only loads stress-ng once.\n");
}

} // namespace

std::map<std::string, double> parse_stress_ng_metrics(std::string_view yaml,
                                                      const std::string& stressor) {
    std::map<std::string, double> out;
    bool in_metrics = false, in_entry = false;
    for (const auto& raw : split_lines(yaml)) {
        std::string line = trim(raw);
        if (raw.rfind("metrics:", 0) == 0) {
            in_metrics = true;
            continue;
        }
        if (!in_metrics)
            continue;
        if (!raw.empty() && raw[0] != ' ' && raw[0] != '-') {
            in_metrics = false; // the next top-level section
            continue;
        }
        if (line.rfind("- stressor:", 0) == 0) {
            in_entry = trim(line.substr(11)) == stressor;
            continue;
        }
        if (!in_entry)
            continue;
        size_t colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string key = trim(line.substr(0, colon));
        std::string value = trim(line.substr(colon + 1));
        char* end = nullptr;
        double v = std::strtod(value.c_str(), &end);
        if (!value.empty() && end && *end == '\0')
            out[key] = v;
    }
    return out;
}

int pageswap_main(int argc, char** argv) {
    enum { kSeconds = 1000, kInstances, kJson, kPrepare, kHelp };
    static const option longopts[] = {{"seconds", required_argument, nullptr, kSeconds},
                                      {"prepare", no_argument, nullptr, kPrepare},
                                      {"instances", required_argument, nullptr, kInstances},
                                      {"json", no_argument, nullptr, kJson},
                                      {"help", no_argument, nullptr, kHelp},
                                      {nullptr, 0, nullptr, 0}};
    unsigned seconds = 15, instances = 1;
    bool json = false, prepare = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, nullptr)) != -1) {
        switch (c) {
        case kSeconds:
            seconds = static_cast<unsigned>(std::strtoul(optarg, nullptr, 10));
            break;
        case kInstances:
            instances = static_cast<unsigned>(std::strtoul(optarg, nullptr, 10));
            break;
        case kJson:
            json = true;
            break;
        case kPrepare:
            prepare = true;
            break;
        case 'h':
        case kHelp:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || seconds == 0 || instances == 0) {
        usage(stderr);
        return 2;
    }
    if (prepare) {
        // Load stress-ng and its libraries once, so that the measured run
        // does not wait for the 9p host root.
        if (auto e = cache_host_root(); !e.empty()) {
            std::fprintf(stderr, "pageswap: %s\n", e.c_str());
            return 1;
        }
        HostRun warm = run_in_host_root({"stress-ng", "--version"});
        return warm.exit_code == 0 ? 0 : 1;
    }
    std::string error;
    std::map<std::string, double> metrics;
    HostRun run;
    const std::string yaml = "/tmp/vswap-pageswap.yaml"; // inside the chroot
    if (!host_has("/usr/bin/stress-ng")) {
        error = "stress-ng is not installed in the host root (" + std::string(kHostRoot) +
                "/usr/bin/stress-ng); install stress-ng on the host";
    } else {
        unlink((std::string(kHostRoot) + yaml).c_str());
        run = run_in_host_root({"stress-ng", "--pageswap", std::to_string(instances), "--timeout",
                                std::to_string(seconds) + "s", "--metrics", "--yaml", yaml});
        auto text = sysfs::read_text_if_exists(std::string(kHostRoot) + yaml);
        if (run.exit_code != 0)
            error = "stress-ng failed: " + run.describe();
        else if (!text)
            error = "stress-ng wrote no YAML report";
        else
            metrics = parse_stress_ng_metrics(*text, "pageswap");
        if (error.empty() && !metrics.count("bogo-ops"))
            error = "stress-ng's YAML report has no pageswap metrics";
        // Its times then miss the stressor's: ours (getrusage) do not.
        if (run.stragglers)
            std::fprintf(stderr,
                         "pageswap: stress-ng exited with %d of its processes still running "
                         "(a stressor that overran its timeout); waited for them, killed %d "
                         "after %.0f s\n",
                         run.stragglers, run.stragglers_killed, kStragglerWaitS);
    }
    auto get = [&](const char* k) { return metrics.count(k) ? metrics.at(k) : 0.0; };
    if (json) {
        nlohmann::json j = {{"workload", "pageswap"},
                            {"ok", error.empty()},
                            {"error", error},
                            {"seconds", seconds},
                            {"instances", instances},
                            {"stress_ng", metrics},
                            {"stragglers", run.stragglers},
                            {"stragglers_killed", run.stragglers_killed},
                            {"metrics",
                             {{"bogo_ops", get("bogo-ops")},
                              {"bogo_ops_per_s", get("bogo-ops-per-second-real-time")},
                              {"stress_wall_s", get("wall-clock-time")},
                              {"stress_user_s", get("user-time")},
                              {"stress_sys_s", get("system-time")}}}};
        std::printf("%s\n", j.dump().c_str());
    } else if (error.empty()) {
        std::printf("pageswap: %.0f bogo ops in %.2f s, %.1f ops/s\n", get("bogo-ops"),
                    get("wall-clock-time"), get("bogo-ops-per-second-real-time"));
    } else {
        std::fprintf(stderr, "pageswap: %s\n", error.c_str());
    }
    return error.empty() ? 0 : 1;
}

} // namespace vswap
