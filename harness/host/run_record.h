// The result of one run of the matrix, as stored in RESULTS/runs/ID.json:
// the cell, the full configuration, the kernel's identity, the harness
// version, the guest's measurements and the console verdict.
#pragma once

#include "host/console_scan.h"
#include "host/matrix.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vswap {

enum class RunStatus {
    Ok,           // the workload ran and the kernel stayed silent
    Failed,       // crash, timeout, splat, or the workload reported an error
    NotSupported, // the kernel cannot run this backend (not booted)
};
std::string status_name(RunStatus s); // "ok", "failed", "not-supported"

struct KernelIdentity {
    std::string variant;
    std::string config_hash;   // of build/kernels/VARIANT/.config, "" when it is missing
    std::string image_hash;    // of the bzImage that was booted
    bool virtual_swap = false; // CONFIG_VIRTUAL_SWAP=y
    bool operator==(const KernelIdentity&) const = default;
};

struct RunRecord {
    static constexpr const char* kSchema = "vswap-run/1";
    Cell cell;
    RunStatus status = RunStatus::Failed;
    std::string reason; // why it failed or is not supported
    std::string harness_version;
    KernelIdentity kernel;
    nlohmann::json config = nlohmann::json::object(); // matrix, workload, boot request
    std::string started_at;                           // UTC, ISO 8601
    double host_seconds = 0;                          // wall time of the boot on the host
    std::string console_verdict;                      // "clean" or what the scan found
    std::vector<Splat> splats;
    std::string console_tail; // kept for failures
    std::map<std::string, double> metrics;
    nlohmann::json guest; // the guest's own result file, null when there was none
    std::string run_dir;  // build/runs/... with the full logs
};

void to_json(nlohmann::json& j, const RunRecord& r);
// Throws UserError naming the field when the JSON is not a run record.
void from_json(const nlohmann::json& j, RunRecord& r);

// Reads and checks one run file; a corrupt file gives one line naming it.
RunRecord load_run_record(const std::filesystem::path& path);
void save_run_record(const std::filesystem::path& path, const RunRecord& r);

} // namespace vswap
