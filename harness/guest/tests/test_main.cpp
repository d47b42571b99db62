#include "guest/tests/test_main.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <string>

namespace vswap::tests {
namespace {

void usage(FILE* out) {
    std::fprintf(
        out,
        "usage: vswap-guest test [--list] [--json FILE] [--duration S] [--budget S] [NAME...]\n"
        "Runs the functional tests (all but the explicit-only ones when no NAME is\n"
        "given; NAME may be a pattern such as 'integrity.*'). Prints kselftest-style\n"
        "TAP on stdout; exits 1 when a test fails.\n"
        "  --list            list the tests and exit\n"
        "  --json FILE       also write the results as JSON (rewritten after each test)\n"
        "  --duration S      how long the stress tests run (default 600)\n"
        "  --budget S        report tests that would start after S seconds as not run\n");
}

} // namespace

int test_main(int argc, char** argv) {
    enum { kList = 1000, kJson, kDuration, kBudget, kHelp };
    static const option longopts[] = {{"list", no_argument, nullptr, kList},
                                      {"json", required_argument, nullptr, kJson},
                                      {"duration", required_argument, nullptr, kDuration},
                                      {"budget", required_argument, nullptr, kBudget},
                                      {"help", no_argument, nullptr, kHelp},
                                      {nullptr, 0, nullptr, 0}};
    RunOptions options;
    bool list = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, nullptr)) != -1) {
        switch (c) {
        case kList:
            list = true;
            break;
        case kJson:
            options.json_path = optarg;
            break;
        case kDuration: {
            char* end = nullptr;
            options.duration_s = std::strtod(optarg, &end);
            if (*end || options.duration_s <= 0) {
                std::fprintf(stderr,
                             "test: --duration wants a positive number of seconds, not '%s'\n",
                             optarg);
                return 2;
            }
            break;
        }
        case kBudget: {
            char* end = nullptr;
            options.budget_s = std::strtod(optarg, &end);
            if (*end || options.budget_s < 0) {
                std::fprintf(stderr, "test: --budget wants a number of seconds, not '%s'\n",
                             optarg);
                return 2;
            }
            break;
        }
        case 'h':
        case kHelp:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    const std::vector<TestCase> tests = all_tests();
    if (list) {
        for (const auto& t : tests)
            std::printf("%-32s %s%s\n", t.name.c_str(), t.summary.c_str(),
                        t.explicit_only ? " (only when named)" : "");
        return 0;
    }
    std::vector<std::string> names(argv + optind, argv + argc);
    std::vector<std::string> unknown;
    auto chosen = select_tests(tests, names, unknown);
    if (!unknown.empty()) {
        for (const auto& u : unknown)
            std::fprintf(stderr, "test: no test named '%s' (see 'vswap-guest test --list')\n",
                         u.c_str());
        return 2;
    }
    auto results = run_tests(chosen, options);
    for (const auto& r : results)
        if (r.status == Status::Fail)
            return 1;
    return 0;
}

} // namespace vswap::tests
