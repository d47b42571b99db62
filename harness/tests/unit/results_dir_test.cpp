#include "common/error.h"
#include "common/text.h"
#include "host/results_dir.h"
#include "run_fixtures.h"

#include <gtest/gtest.h>

using namespace vswap;
using namespace vswap::testing;
namespace fs = std::filesystem;

namespace {

MatrixSpec two_by_two() {
    MatrixSpec m;
    m.kernels = {"baseline", "vswap"};
    m.combos = {{"usemem", "zswap"}, {"samefill", "disk"}};
    m.repeats = 2;
    return m;
}

// Writes a shard directory with a run file for each of its cells.
void write_shard(const fs::path& dir, const MatrixSpec& m, Shard shard) {
    save_matrix_file(dir, {m, shard, "0.1.0+test", "2026-01-01T00:00:00Z"});
    for (const auto& c : shard_cells(expand_matrix(m), shard))
        save_run_record(run_path(dir, c),
                        make_run(c.kernel, c.workload, c.backend, c.repeat, {{"wall_s", 1.0}}));
}

} // namespace

TEST(RunRecord, JsonRoundTrip) {
    RunRecord r = make_run("vswap", "usemem", "zswap", 3, {{"wall_s", 12.5}, {"pswpout", 7}});
    r.splats = {{"WARNING", 12, "WARNING: at mm/vswap.c"}};
    r.console_tail = "tail";
    r.guest = {{"metrics", {{"wall_s", 12.5}}}};
    nlohmann::json j = r;
    EXPECT_EQ(j["schema"], "vswap-run/1");
    EXPECT_EQ(j["id"], "r3_usemem_zswap_vswap");
    EXPECT_EQ(j["kernel"]["config_hash"], "cafevswap");
    EXPECT_EQ(j["harness_version"], "0.1.0+test");
    RunRecord back = j;
    EXPECT_EQ(nlohmann::json(back), j);
    EXPECT_EQ(back.metrics.at("wall_s"), 12.5);
    EXPECT_EQ(back.splats.at(0).kind, "WARNING");
}

TEST(RunRecord, CorruptFilesNameTheFile) {
    TempDir tmp;
    auto expect_corrupt = [&](const std::string& name, const std::string& content,
                              const std::string& needle) {
        fs::path p = tmp.path() / name;
        write_file_atomic(p, content);
        try {
            load_run_record(p);
            FAIL() << "no error for " << name;
        } catch (const UserError& e) {
            std::string what = e.what();
            EXPECT_NE(what.find("corrupt result JSON " + p.string()), std::string::npos) << what;
            EXPECT_NE(what.find(needle), std::string::npos) << what;
            EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
        }
    };
    nlohmann::json good = make_run("baseline", "usemem", "zswap", 1, {{"wall_s", 1}});
    expect_corrupt("truncated.json", good.dump().substr(0, 40), "parse error");
    auto wrong_schema = good;
    wrong_schema["schema"] = "something/9";
    expect_corrupt("schema.json", wrong_schema.dump(), "schema");
    auto bad_metric = good;
    bad_metric["metrics"]["wall_s"] = "fast";
    expect_corrupt("metric.json", bad_metric.dump(), "metric 'wall_s' is not a number");
    auto no_status = good;
    no_status.erase("status");
    expect_corrupt("status.json", no_status.dump(), "status");
    auto wrong_id = good;
    wrong_id["id"] = "r9_x";
    expect_corrupt("id.json", wrong_id.dump(), "does not match");
}

TEST(ResultsDir, LoadsAndListsMissingRuns) {
    TempDir tmp;
    auto m = two_by_two();
    write_shard(tmp.path(), m, {1, 1});
    ResultSet all = load_results(tmp.path());
    EXPECT_EQ(all.runs.size(), 8u);
    EXPECT_TRUE(all.missing_cells().empty());
    fs::remove(run_path(tmp.path(), {"vswap", "samefill", "disk", 2}));
    ResultSet some = load_results(tmp.path());
    ASSERT_EQ(some.missing_cells().size(), 1u);
    EXPECT_EQ(some.missing_cells()[0].id(), "r2_samefill_disk_vswap");
    // A single run file is a result set too.
    ResultSet one = load_results(run_path(tmp.path(), {"baseline", "usemem", "zswap", 1}));
    EXPECT_EQ(one.runs.size(), 1u);
    EXPECT_FALSE(one.matrix);
    EXPECT_THROW(load_results(tmp.path() / "nope"), UserError);
    fs::create_directories(tmp.path() / "empty");
    EXPECT_THROW(load_results(tmp.path() / "empty"), UserError);
}

TEST(ResultsDir, CorruptMatrixFileIsNamed) {
    TempDir tmp;
    write_file_atomic(matrix_path(tmp.path()), "{\"schema\":\"vswap-matrix/1\"}");
    try {
        load_results(tmp.path());
        FAIL();
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("corrupt matrix file"), std::string::npos);
    }
}

TEST(ResultsDir, MergesShards) {
    TempDir tmp;
    auto m = two_by_two();
    write_shard(tmp.path() / "s1", m, {1, 2});
    write_shard(tmp.path() / "s2", m, {2, 2});
    auto outcome = merge_results({tmp.path() / "s1", tmp.path() / "s2"}, tmp.path() / "all");
    EXPECT_EQ(outcome.runs, 8u);
    ResultSet merged = load_results(tmp.path() / "all");
    EXPECT_EQ(merged.runs.size(), 8u);
    EXPECT_TRUE(merged.missing_cells().empty());
    EXPECT_EQ(merged.matrix->shard, (Shard{1, 1}));

    // One shard alone: the rest is reported missing, not hidden.
    merge_results({tmp.path() / "s1"}, tmp.path() / "half");
    ResultSet half = load_results(tmp.path() / "half");
    EXPECT_EQ(half.missing_cells().size(), 4u);

    // Merging a shard twice is harmless.
    auto again = merge_results({tmp.path() / "s1", tmp.path() / "s1"}, tmp.path() / "again");
    EXPECT_EQ(again.duplicates, 4u);
}

TEST(ResultsDir, MergeRefusesMixedMatricesAndConflicts) {
    TempDir tmp;
    auto m = two_by_two();
    write_shard(tmp.path() / "s1", m, {1, 2});
    auto other = m;
    other.repeats = 3;
    write_shard(tmp.path() / "s2", other, {2, 2});
    EXPECT_THROW(merge_results({tmp.path() / "s1", tmp.path() / "s2"}, tmp.path() / "x"),
                 UserError);

    write_shard(tmp.path() / "c1", m, {1, 1});
    write_shard(tmp.path() / "c2", m, {1, 1});
    Cell c{"vswap", "usemem", "zswap", 1};
    save_run_record(run_path(tmp.path() / "c2", c),
                    make_run("vswap", "usemem", "zswap", 1, {{"wall_s", 2.0}}));
    try {
        merge_results({tmp.path() / "c1", tmp.path() / "c2"}, tmp.path() / "y");
        FAIL();
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("run r1_usemem_zswap_vswap has different results"),
                  std::string::npos)
            << e.what();
    }
    fs::create_directories(tmp.path() / "bare/runs");
    save_run_record(run_path(tmp.path() / "bare", c),
                    make_run("vswap", "usemem", "zswap", 1, {{"wall_s", 2.0}}));
    EXPECT_THROW(merge_results({tmp.path() / "bare"}, tmp.path() / "z"), UserError);
}
