// Runs a matrix: one guest boot per cell, in interleaved order, one result
// file per run, progress with an ETA. A directory that already holds some
// runs of the same matrix is resumed.
#pragma once

#include "host/matrix.h"
#include "host/paths.h"
#include "host/progress.h"
#include "host/run_record.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace vswap {

struct RunnerSettings {
    std::filesystem::path out; // the results directory
    Shard shard;
    bool retry_failed = false; // run failed cells again instead of keeping them
};

struct MatrixOutcome {
    size_t planned = 0;                           // cells of this shard
    size_t ran = 0;                               // booted now
    size_t kept = 0;                              // already in the directory
    size_t ok = 0, failed = 0, not_supported = 0; // over all cells of the shard
    double seconds = 0;
};

// Why `kernel` cannot run this pair (the zswap-only backend without
// CONFIG_VIRTUAL_SWAP=y, swapoff without a swap device), or nullopt.
std::optional<std::string> unsupported_reason(const Cell& cell, const KernelIdentity& kernel);

// The vswap-guest command line of a cell; `kbuild_kit` is the guest path
// of the kbuild kit (used by kbuild only).
std::vector<std::string> guest_command(const Cell& cell, const std::string& kbuild_kit);

// Throws UserError before anything runs when a kernel is not built, or the
// directory holds results of another matrix.
MatrixOutcome run_matrix(const Paths& paths, const MatrixSpec& spec, const RunnerSettings& settings,
                         Progress& progress);

// Estimated seconds for the remaining cells, from the durations measured so
// far per (workload, backend), or the catalogue's estimates.
class EtaEstimator {
public:
    void record(const Cell& cell, double seconds);
    double estimate(const Cell& cell) const;
    double remaining(const std::vector<Cell>& cells, size_t from) const;

private:
    std::vector<std::pair<std::string, std::pair<double, unsigned>>> per_pair_;
};

} // namespace vswap
