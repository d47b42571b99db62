// scripts/vswap boot --kernel VARIANT [...] -- CMD...   and   scripts/vswap smoke
#include "cli/options.h"
#include "common/error.h"
#include "common/text.h"
#include "host/boot.h"
#include "host/paths.h"
#include "host/smoke.h"
#include "host/variants.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace vswap::cli {
namespace {

// Exit codes of boot and smoke besides the command's own.
constexpr int kExitTimeout = 124;
constexpr int kExitGuestFailure = 125;
constexpr int kExitNotRun = 77; // CTest's SKIP_RETURN_CODE

uint64_t size_option(const po::variables_map& vm, const char* name) {
    auto text = vm[name].as<std::string>();
    auto bytes = parse_size(text);
    if (!bytes || *bytes == 0)
        throw UserError(std::string("--") + name + " '" + text + "' is not a size",
                        "write it like 512M or 2G");
    return *bytes;
}

// Prints what went wrong with the guest and returns the exit code.
int report(const BootResult& result, bool json) {
    if (json) {
        std::cout << nlohmann::json(result).dump(2) << "\n";
    } else if (auto failure = result.failure()) {
        std::fprintf(stderr, "vswap: error: %s on kernel %s (logs: %s)\n", failure->c_str(),
                     result.kernel.c_str(), result.run_dir.c_str());
        for (const auto& s : result.splats)
            std::fprintf(stderr, "--- %s at console line %zu:\n%s\n", s.kind.c_str(), s.line,
                         s.text.c_str());
        if (result.splats.empty())
            std::fprintf(stderr, "--- last console lines:\n%s\n", result.console_tail.c_str());
    }
    if (result.timed_out)
        return kExitTimeout;
    if (result.failure())
        return kExitGuestFailure;
    return *result.exit_status;
}

} // namespace

int cmd_boot(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")("kernel,k", po::value<std::string>(),
                                                ("kernel variant: " + variant_names()).c_str())(
        "mem,m", po::value<std::string>()->default_value("512M"),
        "guest RAM")("cpus,c", po::value<unsigned>()->default_value(2), "vCPUs (MTTCG)")(
        "swap-disk", po::value<std::string>(), "attach an empty disk of this size as /dev/vda")(
        "scratch-disk", po::value<std::string>(),
        "attach an ext4 disk of this size (after the swap disk)")(
        "icount", "deterministic timing: one vCPU, -icount shift=3,sleep=off")(
        "accel", po::value<std::string>()->default_value("auto"),
        "auto (KVM only if a probe proves it works), tcg or kvm")(
        "timeout", po::value<double>()->default_value(600),
        "kill the guest after this many seconds")(
        "append", po::value<std::string>()->default_value(""), "extra kernel command line")(
        "json", "print the result as JSON instead of streaming the output")(
        "command", po::value<std::vector<std::string>>(), "the command, after --");
    po::positional_options_description p;
    p.add("command", -1);
    auto vm = parse("boot", args, o, p);
    if (vm.count("help") || !vm.count("kernel")) {
        print_help("boot --kernel VARIANT [options] -- CMD...",
                   "Boots the kernel in QEMU and runs CMD in the guest (busybox sh; vswap-guest "
                   "on\nPATH; the host's root read-only at /host for chroot). One word is run as "
                   "a\nshell line, several as a command. Exits with CMD's status, 124 when the "
                   "guest\ntimes out, 125 when the kernel oopses, warns or panics.",
                   o);
        return vm.count("help") ? 0 : 2;
    }
    BootRequest request;
    request.kernel = vm["kernel"].as<std::string>();
    request.mem_bytes = size_option(vm, "mem");
    request.cpus = vm["cpus"].as<unsigned>();
    if (vm.count("swap-disk"))
        request.swap_disk = size_option(vm, "swap-disk");
    if (vm.count("scratch-disk"))
        request.scratch_disk = size_option(vm, "scratch-disk");
    request.icount = vm.count("icount");
    if (request.icount && !vm["cpus"].defaulted() && request.cpus != 1)
        throw UserError("--icount runs one vCPU, but --cpus " + std::to_string(request.cpus) +
                            " was given",
                        "drop --cpus or --icount");
    request.accel = vm["accel"].as<std::string>();
    request.timeout_s = vm["timeout"].as<double>();
    request.append = vm["append"].as<std::string>();
    if (vm.count("command"))
        request.command = vm["command"].as<std::vector<std::string>>();
    request.stream = !vm.count("json");
    Progress progress;
    return report(boot_guest(project_paths(), request, progress), vm.count("json"));
}

int cmd_smoke(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")("kernel,k", po::value<std::string>(),
                                                "kernel variant")(
        "skip-if-missing", "exit 77 (CTest: not run) when the kernel is not built")(
        "json", "print the result as JSON");
    auto vm = parse("smoke", args, o);
    if (vm.count("help") || !vm.count("kernel")) {
        print_help("smoke --kernel VARIANT [--skip-if-missing] [--json]",
                   "Boots the kernel with 256 MiB and a 1 GiB swap disk, swaps a per-page "
                   "pattern\nover twice the RAM out and back, verifies every byte, and swaps "
                   "off.",
                   o);
        return vm.count("help") ? 0 : 2;
    }
    Paths paths = project_paths();
    const std::string kernel = vm["kernel"].as<std::string>();
    find_variant(kernel);
    if (vm.count("skip-if-missing") && !std::filesystem::exists(paths.kernel_image(kernel))) {
        std::cout << "smoke: NOT RUN: kernel " << kernel << " is not built ("
                  << paths.kernel_image(kernel).string() << ")\n";
        return kExitNotRun;
    }
    BootRequest request = smoke_request(paths, kernel);
    request.stream = !vm.count("json");
    Progress progress;
    return report(boot_guest(paths, request, progress), vm.count("json"));
}

} // namespace vswap::cli
