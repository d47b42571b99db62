#include "host/boot.h"

#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/accel_probe.h"
#include "host/disk_image.h"
#include "host/initramfs.h"
#include "host/qemu_runner.h"
#include "host/variants.h"

#include <algorithm>
#include <ctime>
#include <unistd.h>

namespace vswap {
namespace fs = std::filesystem;
namespace {

constexpr size_t kKeptRuns = 100;

fs::path make_run_dir(const Paths& paths, const std::string& kernel) {
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    fs::path dir =
        paths.runs() / (std::string(stamp) + "-" + kernel + "-" + std::to_string(getpid()));
    fs::create_directories(dir / "job");
    return dir;
}

// Keeps the newest run directories only.
void prune_runs(const Paths& paths) {
    std::vector<fs::path> runs;
    for (const auto& entry : fs::directory_iterator(paths.runs()))
        runs.push_back(entry.path());
    if (runs.size() <= kKeptRuns)
        return;
    std::sort(runs.begin(), runs.end());
    for (size_t i = 0; i + kKeptRuns < runs.size(); ++i)
        fs::remove_all(runs[i]);
}

Accel choose_accel(const std::string& accel, bool icount) {
    if (accel == "tcg" || icount)
        return Accel::Tcg;
    if (accel != "auto" && accel != "kvm")
        throw UserError("unknown accelerator '" + accel + "'", "use auto, tcg or kvm");
    KvmProbe probe = probe_kvm();
    if (probe.usable)
        return Accel::Kvm;
    if (accel == "kvm")
        throw UserError("KVM is not usable here: " + probe.reason, "use --accel tcg");
    return Accel::Tcg;
}

} // namespace

BootResult boot_guest(const Paths& paths, const BootRequest& request, Progress& progress) {
    const Variant& variant = find_variant(request.kernel);
    const fs::path image = paths.kernel_image(request.kernel);
    if (!fs::exists(image))
        throw UserError("kernel '" + request.kernel + "' is not built (" + image.string() + ")",
                        "run 'scripts/vswap kernel build " + request.kernel + "'");
    if (!program_in_path("qemu-system-x86_64"))
        throw UserError("QEMU is missing: qemu-system-x86_64 is not in PATH",
                        "install qemu-system-x86 (scripts/vswap does this as root)");
    if (request.shares && request.command.empty())
        throw UserError("no command to run in the guest", "give one after --, e.g. -- free -m");

    GuestSpec spec;
    spec.kernel = image;
    spec.initrd = ensure_initramfs(paths, progress);
    spec.cpus = request.icount ? 1 : request.cpus;
    spec.mem_bytes = request.mem_bytes;
    spec.icount = request.icount;
    spec.accel = choose_accel(request.accel, request.icount);
    spec.append = variant.boot_append;
    if (!request.append.empty())
        spec.append += (spec.append.empty() ? "" : " ") + request.append;
    // For debugging the guest from outside, e.g. a QMP socket or gdbstub.
    if (const char* extra = std::getenv("VSWAP_QEMU_ARGS"))
        spec.extra_args = split_words(extra);

    const fs::path run_dir = make_run_dir(paths, request.kernel);
    if (request.shares)
        spec.job_share = run_dir / "job";
    else
        spec.host_share.clear();
    spec.console_log = run_dir / "console.log";
    spec.stdout_log = run_dir / "stdout.log";
    spec.stderr_log = run_dir / "stderr.log";
    if (!request.swap_disk_image.empty() && request.swap_disk)
        throw std::logic_error("boot_guest: swap_disk and swap_disk_image are exclusive");
    std::vector<DiskImage> disk_files; // made for this boot, removed after it
    if (!request.swap_disk_image.empty())
        spec.disks.push_back(request.swap_disk_image);
    if (request.swap_disk)
        spec.disks.push_back(
            disk_files.emplace_back(run_dir / "swap.img", *request.swap_disk).path());
    if (request.scratch_disk) {
        const DiskImage& scratch =
            disk_files.emplace_back(run_dir / "scratch.img", *request.scratch_disk);
        run_checked({"mkfs.ext4", "-q", "-F", scratch.path().string()}, {},
                    "install e2fsprogs (scripts/vswap does this as root)");
        spec.disks.push_back(scratch.path());
    }

    const std::string shell_line =
        request.command.size() == 1 ? request.command[0] : shell_join(request.command);
    // Read by /init before it mounts the host root, and by the command.
    if (request.shares) {
        write_file_atomic(spec.job_share / "env",
                          "export VSWAP_KERNEL=" + shell_quote(request.kernel) +
                              " VSWAP_PROJECT=" + shell_quote(paths.root.string()) + "\n");
        write_file_atomic(spec.job_share / "cmd", shell_line + "\n");
    }

    RunnerOptions runner;
    runner.timeout_s = request.timeout_s;
    runner.stream = request.stream;
    runner.qemu_log = run_dir / "qemu.log";
    RunnerOutcome outcome = run_qemu(spec, runner);

    BootResult result;
    result.kernel = request.kernel;
    result.command = request.command;
    result.timed_out = outcome.timed_out;
    result.timeout_s = request.timeout_s;
    result.seconds = outcome.seconds;
    result.run_dir = run_dir.string();
    const std::string console = read_file_if_exists(spec.console_log).value_or("");
    result.splats = scan_console(console);
    result.console_tail = last_lines(console, 25);
    auto strip_cr = [](std::string s) {
        s.erase(std::remove(s.begin(), s.end(), '\r'), s.end());
        return s;
    };
    result.stdout_text = strip_cr(read_file_if_exists(spec.stdout_log).value_or(""));
    result.stderr_text = strip_cr(read_file_if_exists(spec.stderr_log).value_or(""));
    result.reports_exit_status = request.shares;
    if (request.shares)
        if (auto rc = read_file_if_exists(spec.job_share / "rc"); rc && !trim(*rc).empty())
            result.exit_status = std::stoi(trim(*rc));
    if (!outcome.timed_out && !result.exit_status && outcome.qemu && !outcome.qemu->ok()) {
        std::string qemu_log = read_file_if_exists(runner.qemu_log).value_or("");
        if (console.empty())
            throw UserError("QEMU failed to start the guest (" + outcome.qemu->describe() +
                                "): " + trim(last_lines(qemu_log, 5)),
                            "see " + runner.qemu_log.string());
    }
    write_file_atomic(run_dir / "result.json", nlohmann::json(result).dump(2) + "\n");
    prune_runs(paths);
    return result;
}

} // namespace vswap
