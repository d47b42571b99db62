#include "host/matrix_runner.h"

#include "common/error.h"
#include "common/text.h"
#include "host/backend_catalog.h"
#include "host/boot.h"
#include "host/initramfs.h"
#include "host/kbuild_kit.h"
#include "host/kernel_identity.h"
#include "host/results_dir.h"
#include "host/workload_catalog.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

namespace vswap {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kDefaultSwapDisk = 1ull << 30;
constexpr double kBootSeconds = 4; // host seconds to boot and power off, for the first ETA

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return stamp;
}

std::string pair_key(const Cell& c) {
    return c.workload + "/" + c.backend;
}

struct Disks {
    std::optional<uint64_t> swap, scratch;
};

Disks disks_for(const Cell& cell) {
    const BackendSpec& b = find_backend(cell.backend);
    const WorkloadSpec& w = find_workload(cell.workload);
    Disks d;
    const uint64_t swap_size = w.swap_disk.value_or(kDefaultSwapDisk);
    if (b.swap_disk)
        d.swap = swap_size;
    uint64_t scratch = w.scratch_disk.value_or(0);
    if (b.scratch_disk) // the swapfile lives on the scratch disk, next to the workload's files
        scratch += swap_size + (64ull << 20);
    if (scratch)
        d.scratch = scratch;
    return d;
}

std::string console_verdict(const BootResult& r) {
    if (r.splats.empty())
        return r.timed_out ? "clean (timed out)" : "clean";
    std::string v = std::to_string(r.splats.size()) + " problem(s):";
    for (size_t i = 0; i < r.splats.size() && i < 3; ++i)
        v += " " + r.splats[i].kind + " at line " + std::to_string(r.splats[i].line) +
             (i + 1 < std::min<size_t>(r.splats.size(), 3) ? "," : "");
    return v;
}

// A status line that keeps ticking while a guest runs (terminal only).
class Ticker {
public:
    Ticker(Progress& progress, std::string prefix, double eta)
        : progress_(progress), prefix_(std::move(prefix)), eta_(eta) {
        if (!progress_.interactive())
            return;
        thread_ = std::thread([this] {
            auto start = std::chrono::steady_clock::now();
            std::unique_lock lock(mutex_);
            while (!stop_) {
                double s =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                progress_.status(prefix_ + " " + format_seconds(s) + ", ETA " +
                                 format_seconds(std::max(0.0, eta_ - s)));
                cv_.wait_for(lock, std::chrono::seconds(1));
            }
        });
    }
    ~Ticker() { stop(); }
    void stop() {
        if (!thread_.joinable())
            return;
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
        progress_.end_status();
    }

private:
    Progress& progress_;
    std::string prefix_;
    double eta_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

RunRecord run_cell(const Paths& paths, const MatrixSpec& spec, const Cell& cell,
                   const fs::path& out, const std::optional<KbuildKit>& kit, Progress& progress) {
    RunRecord rec;
    rec.cell = cell;
    rec.harness_version = harness_version(paths);
    rec.kernel = identify_kernel(paths, cell.kernel);
    rec.started_at = utc_now();
    const WorkloadSpec& w = find_workload(cell.workload);
    const BackendSpec& b = find_backend(cell.backend);
    const Disks disks = disks_for(cell);

    BootRequest request;
    request.kernel = cell.kernel;
    request.mem_bytes = spec.mem_bytes;
    request.icount = spec.timing == "icount";
    request.cpus = request.icount ? 1 : spec.cpus;
    request.accel = "tcg";
    request.swap_disk = disks.swap;
    request.scratch_disk = disks.scratch;
    request.timeout_s = w.timeout_s;
    request.command = guest_command(cell, kit ? kit->guest_path : "");
    request.stream = false;

    nlohmann::json boot = {
        {"mem_bytes", request.mem_bytes},
        {"cpus", request.cpus},
        {"icount", request.icount},
        {"accel", request.accel},
        {"timeout_s", request.timeout_s},
        {"swap_disk", disks.swap ? nlohmann::json(*disks.swap) : nullptr},
        {"scratch_disk", disks.scratch ? nlohmann::json(*disks.scratch) : nullptr},
        {"command", request.command}};
    rec.config = {{"matrix", spec},
                  {"workload",
                   {{"name", w.name},
                    {"description", w.description},
                    {"args", w.args},
                    {"memory_max", w.memory_max ? nlohmann::json(*w.memory_max) : nullptr}}},
                  {"backend", {{"name", b.name}, {"description", b.description}}},
                  {"boot", boot}};
    if (kit && cell.workload == "kbuild")
        rec.config["kbuild_kit"] = {{"hash", kit->hash}, {"objects", kit->objects}};

    if (auto reason = unsupported_reason(cell, rec.kernel)) {
        rec.status = RunStatus::NotSupported;
        rec.reason = *reason;
        rec.console_verdict = "not booted";
        return rec;
    }

    BootResult result = boot_guest(paths, request, progress);
    rec.host_seconds = result.seconds;
    rec.run_dir = result.run_dir;
    rec.splats = result.splats;
    rec.console_verdict = console_verdict(result);

    std::string guest_error;
    if (auto text = read_file_if_exists(fs::path(result.run_dir) / "job" / "result.json")) {
        try {
            rec.guest = nlohmann::json::parse(*text);
            if (rec.guest.contains("metrics") && rec.guest["metrics"].is_object()) {
                for (const auto& [name, value] : rec.guest["metrics"].items()) {
                    if (value.is_number())
                        rec.metrics[name] = value.get<double>();
                }
            }
            if (!rec.guest.value("ok", false))
                guest_error = rec.guest.value("error", std::string("the workload failed"));
        } catch (const nlohmann::json::exception& e) {
            guest_error = std::string("the guest's result.json is not valid JSON: ") + e.what();
        }
    } else {
        guest_error = "the guest wrote no result.json";
    }

    if (auto failure = result.failure()) {
        rec.status = RunStatus::Failed;
        rec.reason = *failure;
    } else if (rec.guest.is_object() && rec.guest.value("not_supported", false)) {
        // The guest found the kernel without the backend's feature.
        rec.status = RunStatus::NotSupported;
        rec.reason = guest_error;
    } else if (result.exit_status != 0 || !guest_error.empty()) {
        rec.status = RunStatus::Failed;
        rec.reason = !guest_error.empty()
                         ? guest_error
                         : "vswap-guest exited with status " + std::to_string(*result.exit_status);
        // When the guest could not say what went wrong, its last stderr
        // line (without bench's restatement) usually can.
        const bool vague = rec.guest.is_null() || rec.reason.rfind("the workload exited", 0) == 0 ||
                           rec.reason.rfind("vswap-guest exited", 0) == 0;
        std::string err;
        for (const auto& line : split_lines(result.stderr_text)) {
            if (line.rfind("bench: ", 0) != 0 && !trim(line).empty())
                err = trim(line);
        }
        if (vague && !err.empty() && rec.reason.find(err) == std::string::npos)
            rec.reason += " (stderr: " + err + ")";
    } else {
        rec.status = RunStatus::Ok;
    }
    if (rec.status == RunStatus::Failed) {
        rec.console_tail = result.console_tail;
        fs::path console = fs::path(result.run_dir) / "console.log";
        if (fs::exists(console)) {
            fs::create_directories(log_path(out, cell).parent_path());
            fs::copy_file(console, log_path(out, cell), fs::copy_options::overwrite_existing);
        }
    }
    return rec;
}

} // namespace

std::optional<std::string> unsupported_reason(const Cell& cell, const KernelIdentity& kernel) {
    const BackendSpec& b = find_backend(cell.backend);
    const WorkloadSpec& w = find_workload(cell.workload);
    if (b.vswap_only && !kernel.virtual_swap)
        return "the " + b.name + " backend needs CONFIG_VIRTUAL_SWAP=y; kernel " + kernel.variant +
               (kernel.config_hash.empty() ? " has no recorded .config" : " has it off");
    if (w.needs_swap_device && !b.swap_device)
        return w.name + " needs a swap device and the " + b.name + " backend has none";
    return std::nullopt;
}

std::vector<std::string> guest_command(const Cell& cell, const std::string& kbuild_kit) {
    const BackendSpec& b = find_backend(cell.backend);
    const WorkloadSpec& w = find_workload(cell.workload);
    const Disks disks = disks_for(cell);
    std::vector<std::string> argv = {"vswap-guest", "bench", "--backend",
                                     b.name,        "--out", "/job/result.json"};
    // Disks appear in the order boot_guest attaches them: swap, then scratch.
    char next = 'a';
    if (disks.swap)
        argv.insert(argv.end(), {"--swap-device", std::string("/dev/vd") + next++});
    if (disks.scratch)
        argv.insert(argv.end(), {"--scratch-device", std::string("/dev/vd") + next++});
    if (b.scratch_disk)
        argv.insert(
            argv.end(),
            {"--swap-size",
             std::to_string(disks.swap.value_or(w.swap_disk.value_or(kDefaultSwapDisk)) >> 20) +
                 "M"});
    if (w.memory_max)
        argv.insert(argv.end(), {"--memory-max", std::to_string(*w.memory_max >> 20) + "M"});
    argv.push_back("--");
    argv.insert(argv.end(), w.args.begin(), w.args.end());
    if (w.name == "kbuild")
        argv.insert(argv.end(), {"--kit", kbuild_kit});
    return argv;
}

void EtaEstimator::record(const Cell& cell, double seconds) {
    for (auto& [key, acc] : per_pair_) {
        if (key == pair_key(cell)) {
            acc.first += seconds;
            ++acc.second;
            return;
        }
    }
    per_pair_.push_back({pair_key(cell), {seconds, 1}});
}

double EtaEstimator::estimate(const Cell& cell) const {
    for (const auto& [key, acc] : per_pair_) {
        if (key == pair_key(cell))
            return acc.first / acc.second;
    }
    return find_workload(cell.workload).estimate_s + kBootSeconds;
}

double EtaEstimator::remaining(const std::vector<Cell>& cells, size_t from) const {
    double total = 0;
    for (size_t i = from; i < cells.size(); ++i)
        total += estimate(cells[i]);
    return total;
}

MatrixOutcome run_matrix(const Paths& paths, const MatrixSpec& spec, const RunnerSettings& settings,
                         Progress& progress) {
    const std::vector<Cell> cells = shard_cells(expand_matrix(spec), settings.shard);
    MatrixOutcome outcome;
    outcome.planned = cells.size();
    if (cells.empty())
        throw UserError("shard " + std::to_string(settings.shard.index) + "/" +
                            std::to_string(settings.shard.count) + " of this matrix is empty",
                        "use fewer shards");
    std::map<std::string, KernelIdentity> kernels;
    for (const auto& k : spec.kernels)
        kernels[k] = identify_kernel(paths, k); // a missing image stops us here

    MatrixFile mf{spec, settings.shard, harness_version(paths), utc_now()};
    if (fs::exists(matrix_path(settings.out))) {
        MatrixFile old = load_matrix_file(matrix_path(settings.out));
        if (!(old.matrix == spec) || !(old.shard == settings.shard))
            throw UserError(settings.out.string() + " holds results of another matrix or shard",
                            "choose another directory with -o, or delete it");
        mf.created_at = old.created_at;
    }
    save_matrix_file(settings.out, mf);

    std::optional<KbuildKit> kit;
    for (const auto& c : spec.combos) {
        if (c.workload == "kbuild" && !kit)
            kit = prepare_kbuild_kit(paths, progress);
    }
    ensure_initramfs(paths, progress);

    EtaEstimator eta;
    const auto start = std::chrono::steady_clock::now();
    std::vector<bool> done(cells.size(), false);
    for (size_t i = 0; i < cells.size(); ++i) {
        fs::path file = run_path(settings.out, cells[i]);
        if (!fs::exists(file))
            continue;
        RunRecord old = load_run_record(file);
        if (old.status == RunStatus::Failed && settings.retry_failed)
            continue;
        done[i] = true;
        ++outcome.kept;
        outcome.ok += old.status == RunStatus::Ok;
        outcome.failed += old.status == RunStatus::Failed;
        outcome.not_supported += old.status == RunStatus::NotSupported;
        if (old.status == RunStatus::Ok)
            eta.record(old.cell, old.host_seconds);
    }
    if (outcome.kept)
        progress.info("resuming: " + std::to_string(outcome.kept) + " of " +
                      std::to_string(cells.size()) + " runs are already in " +
                      settings.out.string());

    std::vector<Cell> todo;
    for (size_t i = 0; i < cells.size(); ++i) {
        if (!done[i])
            todo.push_back(cells[i]);
    }
    // Cells the kernel cannot run take no time.
    std::vector<bool> boots(todo.size());
    for (size_t i = 0; i < todo.size(); ++i)
        boots[i] = !unsupported_reason(todo[i], kernels.at(todo[i].kernel));
    auto remaining = [&](size_t from) {
        double total = 0;
        for (size_t i = from; i < todo.size(); ++i)
            total += boots[i] ? eta.estimate(todo[i]) : 0;
        return total;
    };
    for (size_t i = 0; i < todo.size(); ++i) {
        const Cell& cell = todo[i];
        const std::string counter =
            "[" + std::to_string(i + 1 + outcome.kept) + "/" + std::to_string(cells.size()) + "]";
        RunRecord rec;
        {
            Ticker ticker(progress, counter + " " + cell.id(), remaining(i));
            rec = run_cell(paths, spec, cell, settings.out, kit, progress);
        }
        save_run_record(run_path(settings.out, cell), rec);
        ++outcome.ran;
        if (rec.status == RunStatus::Ok)
            eta.record(cell, rec.host_seconds);
        outcome.ok += rec.status == RunStatus::Ok;
        outcome.failed += rec.status == RunStatus::Failed;
        outcome.not_supported += rec.status == RunStatus::NotSupported;

        std::string line = counter + " " + cell.id() + ": " + status_name(rec.status);
        if (rec.status == RunStatus::Ok && rec.metrics.count("wall_s"))
            line += " in " + format_seconds(rec.host_seconds) + " (guest " +
                    format_seconds(rec.metrics.at("wall_s")) + ")";
        else if (rec.status != RunStatus::Ok)
            line += ": " + rec.reason;
        if (i + 1 < todo.size())
            line += "; ETA " + format_seconds(remaining(i + 1));
        if (rec.status == RunStatus::Failed)
            progress.warn(line);
        else
            progress.info(line);
    }
    outcome.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

} // namespace vswap
