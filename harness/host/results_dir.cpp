#include "host/results_dir.h"

#include "common/error.h"
#include "common/text.h"

#include <algorithm>
#include <map>
#include <set>

namespace vswap {
namespace fs = std::filesystem;

fs::path matrix_path(const fs::path& dir) {
    return dir / "matrix.json";
}
fs::path run_path(const fs::path& dir, const Cell& cell) {
    return dir / "runs" / (cell.id() + ".json");
}
fs::path log_path(const fs::path& dir, const Cell& cell) {
    return dir / "logs" / (cell.id() + ".console.log");
}

void save_matrix_file(const fs::path& dir, const MatrixFile& m) {
    nlohmann::json j = {{"schema", MatrixFile::kSchema},
                        {"matrix", m.matrix},
                        {"shard", {{"index", m.shard.index}, {"count", m.shard.count}}},
                        {"harness_version", m.harness_version},
                        {"created_at", m.created_at}};
    write_file_atomic(matrix_path(dir), j.dump(2) + "\n");
}

MatrixFile load_matrix_file(const fs::path& path) {
    try {
        auto j = nlohmann::json::parse(read_file(path));
        if (!j.is_object() || j.value("schema", "") != MatrixFile::kSchema)
            throw UserError(std::string("schema is not ") + MatrixFile::kSchema);
        MatrixFile m;
        j.at("matrix").get_to(m.matrix);
        j.at("shard").at("index").get_to(m.shard.index);
        j.at("shard").at("count").get_to(m.shard.count);
        j.at("harness_version").get_to(m.harness_version);
        j.at("created_at").get_to(m.created_at);
        validate_matrix(m.matrix);
        if (m.shard.count == 0 || m.shard.index == 0 || m.shard.index > m.shard.count)
            throw UserError("shard " + std::to_string(m.shard.index) + "/" +
                            std::to_string(m.shard.count) + " is out of range");
        return m;
    } catch (const nlohmann::json::exception& e) {
        throw UserError("corrupt matrix file " + path.string() + ": " + e.what());
    } catch (const UserError& e) {
        throw UserError("corrupt matrix file " + path.string() + ": " + e.cause());
    }
}

std::vector<Cell> ResultSet::expected_cells() const {
    if (!matrix)
        return {};
    return shard_cells(expand_matrix(matrix->matrix), matrix->shard);
}

const RunRecord* ResultSet::find(const Cell& cell) const {
    for (const auto& r : runs) {
        if (r.cell == cell)
            return &r;
    }
    return nullptr;
}

std::vector<Cell> ResultSet::missing_cells() const {
    std::set<std::string> present;
    for (const auto& r : runs)
        present.insert(r.cell.id());
    std::vector<Cell> missing;
    for (const auto& c : expected_cells()) {
        if (!present.count(c.id()))
            missing.push_back(c);
    }
    return missing;
}

ResultSet load_results(const fs::path& path) {
    ResultSet set;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
        set.dir = path.parent_path();
        set.runs.push_back(load_run_record(path));
        return set;
    }
    if (!fs::is_directory(path, ec))
        throw UserError("no results at " + path.string(),
                        "give a directory written by 'scripts/vswap run' or a run file");
    set.dir = path;
    if (fs::exists(matrix_path(path)))
        set.matrix = load_matrix_file(matrix_path(path));
    const fs::path runs = path / "runs";
    if (fs::is_directory(runs)) {
        for (const auto& entry : fs::directory_iterator(runs)) {
            if (entry.path().extension() == ".json")
                set.runs.push_back(load_run_record(entry.path()));
        }
    }
    if (!set.matrix && set.runs.empty())
        throw UserError("no results at " + path.string() + " (no matrix.json, no runs/*.json)",
                        "give a directory written by 'scripts/vswap run'");
    std::sort(set.runs.begin(), set.runs.end(),
              [](const RunRecord& a, const RunRecord& b) { return a.cell.id() < b.cell.id(); });
    return set;
}

MergeOutcome merge_results(const std::vector<fs::path>& shards, const fs::path& output) {
    if (shards.empty())
        throw UserError("merge needs at least one shard directory");
    std::vector<ResultSet> sets;
    for (const auto& s : shards) {
        sets.push_back(load_results(s));
        if (!sets.back().matrix)
            throw UserError(s.string() + " has no matrix.json",
                            "merge joins directories written by 'scripts/vswap run --shard'");
    }
    const MatrixFile& first = *sets.front().matrix;
    std::set<unsigned> shard_indices;
    for (size_t i = 0; i < sets.size(); ++i) {
        const MatrixFile& m = *sets[i].matrix;
        if (!(m.matrix == first.matrix))
            throw UserError(shards[i].string() + " holds a different matrix than " +
                                shards[0].string(),
                            "merge only shards of one 'scripts/vswap run' command line");
        if (m.shard.count != first.shard.count)
            throw UserError(shards[i].string() + " is a shard of " + std::to_string(m.shard.count) +
                            ", " + shards[0].string() + " of " + std::to_string(first.shard.count));
        shard_indices.insert(m.shard.index);
    }

    MergeOutcome outcome;
    std::map<std::string, std::pair<nlohmann::json, fs::path>> runs;
    for (size_t i = 0; i < sets.size(); ++i) {
        for (const auto& r : sets[i].runs) {
            nlohmann::json j = r;
            auto [it, inserted] = runs.emplace(r.cell.id(), std::make_pair(j, shards[i]));
            if (!inserted) {
                if (it->second.first != j)
                    throw UserError("run " + r.cell.id() + " has different results in " +
                                        it->second.second.string() + " and " + shards[i].string(),
                                    "keep one of the two files and merge again");
                ++outcome.duplicates;
            }
        }
    }
    MatrixFile merged = first;
    merged.shard = {1, 1};
    // Merging every shard gives the whole matrix; a subset stays a subset,
    // and its report lists the runs of the other shards as missing.
    fs::create_directories(output);
    save_matrix_file(output, merged);
    for (const auto& [id, entry] : runs) {
        RunRecord r = entry.first;
        save_run_record(run_path(output, r.cell), r);
        fs::path log = log_path(entry.second, r.cell);
        if (fs::exists(log)) {
            fs::create_directories(log_path(output, r.cell).parent_path());
            fs::copy_file(log, log_path(output, r.cell), fs::copy_options::overwrite_existing);
        }
        ++outcome.runs;
    }
    return outcome;
}

} // namespace vswap
