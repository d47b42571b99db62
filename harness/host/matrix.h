// A benchmark matrix: kernels x (workload, backend) pairs x repeats, its
// expansion into runs in interleaved order, and sharding.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vswap {

struct Combo {
    std::string workload;
    std::string backend;
    bool operator==(const Combo&) const = default;
};

struct MatrixSpec {
    std::string name = "custom"; // "default", "quick" or "custom"
    std::vector<std::string> kernels;
    std::vector<Combo> combos;
    unsigned repeats = 5;
    uint64_t mem_bytes = 512ull << 20; // guest RAM
    std::string timing = "icount";     // "icount" (one vCPU, deterministic) or "mttcg"
    unsigned cpus = 2;                 // vCPUs under mttcg
    bool operator==(const MatrixSpec&) const = default;
};

// One guest boot of the matrix.
struct Cell {
    std::string kernel;
    std::string workload;
    std::string backend;
    unsigned repeat = 1;    // 1-based
    std::string id() const; // "r1_usemem_zswap_baseline": the run's file name
    bool operator==(const Cell&) const = default;
};

// The suite's matrices. `default`: usemem, swapoff, samefill and pageswap on
// zswap and disk, kbuild on zswap, and the zswap-only backend; `quick`: a
// subset that finishes in minutes.
MatrixSpec preset_matrix(const std::string& name, const std::vector<std::string>& kernels);

// Every workload x every backend.
std::vector<Combo> cross(const std::vector<std::string>& workloads,
                         const std::vector<std::string>& backends);

// Throws UserError on an unknown kernel, workload, backend or timing, or a
// matrix with nothing in it.
void validate_matrix(const MatrixSpec& spec);

// Runs in the order they are made: repeat by repeat, pair by pair, and the
// kernels interleaved within each pair (A B A B ...) so that drift on the
// host hits every kernel alike.
std::vector<Cell> expand_matrix(const MatrixSpec& spec);

struct Shard {
    unsigned index = 1; // 1-based
    unsigned count = 1;
    bool operator==(const Shard&) const = default;
};
// "2/4" -> {2, 4}; throws UserError on anything else.
Shard parse_shard(const std::string& text);
// The runs of one shard. Whole groups (one repeat of one pair on every
// kernel) go to a shard, round-robin, so that each shard still interleaves
// the kernels and the shards together cover the matrix exactly once.
std::vector<Cell> shard_cells(const std::vector<Cell>& cells, const Shard& shard);

void to_json(nlohmann::json& j, const Combo& c);
void from_json(const nlohmann::json& j, Combo& c);
void to_json(nlohmann::json& j, const MatrixSpec& m);
void from_json(const nlohmann::json& j, MatrixSpec& m);
void to_json(nlohmann::json& j, const Cell& c);
void from_json(const nlohmann::json& j, Cell& c);

} // namespace vswap
