// A results directory: matrix.json (what was asked for), runs/ID.json (one
// file per run), logs/ (consoles of failed runs), and the report files.
// Shards of one matrix are separate directories that `merge` joins.
#pragma once

#include "host/matrix.h"
#include "host/run_record.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vswap {

struct MatrixFile {
    static constexpr const char* kSchema = "vswap-matrix/1";
    MatrixSpec matrix;
    Shard shard;
    std::string harness_version;
    std::string created_at;
};

struct ResultSet {
    std::filesystem::path dir;
    std::optional<MatrixFile> matrix; // absent for a bare set of run files
    std::vector<RunRecord> runs;      // sorted by cell id
    // The runs the matrix (and shard) asks for, in run order.
    std::vector<Cell> expected_cells() const;
    // Expected cells with no run file.
    std::vector<Cell> missing_cells() const;
    const RunRecord* find(const Cell& cell) const;
};

std::filesystem::path matrix_path(const std::filesystem::path& dir);
std::filesystem::path run_path(const std::filesystem::path& dir, const Cell& cell);
std::filesystem::path log_path(const std::filesystem::path& dir, const Cell& cell);

void save_matrix_file(const std::filesystem::path& dir, const MatrixFile& m);
MatrixFile load_matrix_file(const std::filesystem::path& path);

// Loads a results directory, or a single run file. Throws UserError on a
// path that holds neither, and on any corrupt file (naming it).
ResultSet load_results(const std::filesystem::path& path);

struct MergeOutcome {
    size_t runs = 0;
    size_t duplicates = 0; // identical runs found in more than one shard
};
// Joins shard directories of one matrix into `output`. Throws UserError
// when the shards come from different matrices, or when two hold different
// results for the same run.
MergeOutcome merge_results(const std::vector<std::filesystem::path>& shards,
                           const std::filesystem::path& output);

} // namespace vswap
