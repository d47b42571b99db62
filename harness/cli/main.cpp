// vswap-harness: the host CLI behind scripts/vswap.
#include "cli/options.h"
#include "common/error.h"

#include <cstdio>
#include <functional>
#include <iostream>
#include <map>

namespace {

struct Verb {
    std::function<int(const vswap::cli::Args&)> run;
    const char* summary;
};

const std::map<std::string, Verb>& verbs() {
    using namespace vswap::cli;
    static const std::map<std::string, Verb> table = {
        {"suite", {cmd_suite, "build what is missing, boot the kernels, run the suite, report"}},
        {"test", {cmd_test, "run every test (unit and guest) through CTest"}},
        {"kernel", {cmd_kernel, "prepare the kernel source; build a kernel variant"}},
        {"patches", {cmd_patches, "apply, export or check the patch series"}},
        {"boot", {cmd_boot, "boot a kernel in QEMU and run a command in it"}},
        {"smoke", {cmd_smoke, "run the guest smoke test on one kernel"}},
        {"run", {cmd_run, "run a matrix of kernels x backends x workloads x repeats"}},
        {"compare", {cmd_compare, "compare two kernels' runs: ratios, intervals, verdicts"}},
        {"report", {cmd_report, "write report.md, report.json and plots for a results dir"}},
        {"merge", {cmd_merge, "join the shards of a matrix run"}},
    };
    return table;
}

void usage(std::ostream& out) {
    out << "usage: scripts/vswap VERB [OPTIONS]\n\nverbs:\n";
    for (const auto& [name, verb] : verbs())
        out << "  " << name << std::string(10 - name.size(), ' ') << verb.summary << "\n";
    out << "\n'scripts/vswap VERB --help' describes a verb.\n";
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        usage(args.empty() ? std::cerr : std::cout);
        return args.empty() ? 2 : 0;
    }
    auto it = verbs().find(args[0]);
    if (it == verbs().end()) {
        std::fprintf(stderr, "vswap: error: unknown verb '%s'; run 'scripts/vswap --help'\n",
                     args[0].c_str());
        return 2;
    }
    try {
        return it->second.run({args.begin() + 1, args.end()});
    } catch (const vswap::UserError& e) {
        std::fprintf(stderr, "vswap: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vswap: internal error: %s\n", e.what());
        return 1;
    }
}
