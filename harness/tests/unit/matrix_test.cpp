#include "common/error.h"
#include "host/backend_catalog.h"
#include "host/matrix.h"
#include "host/workload_catalog.h"

#include <gtest/gtest.h>
#include <map>
#include <set>

using namespace vswap;

namespace {
MatrixSpec small() {
    MatrixSpec m;
    m.kernels = {"baseline", "vswap"};
    m.combos = {{"usemem", "zswap"}, {"samefill", "disk"}};
    m.repeats = 2;
    return m;
}
} // namespace

TEST(Matrix, ExpandsRepeatByRepeatWithKernelsInterleaved) {
    auto cells = expand_matrix(small());
    ASSERT_EQ(cells.size(), 8u);
    std::vector<std::string> ids;
    for (const auto& c : cells)
        ids.push_back(c.id());
    EXPECT_EQ(ids,
              (std::vector<std::string>{"r1_usemem_zswap_baseline", "r1_usemem_zswap_vswap",
                                        "r1_samefill_disk_baseline", "r1_samefill_disk_vswap",
                                        "r2_usemem_zswap_baseline", "r2_usemem_zswap_vswap",
                                        "r2_samefill_disk_baseline", "r2_samefill_disk_vswap"}));
}

TEST(Matrix, DefaultPresetIsTheSuiteMatrix) {
    auto m = preset_matrix("default", {"baseline", "vswap", "vswap-off"});
    EXPECT_EQ(m.repeats, 5u);
    EXPECT_EQ(m.timing, "icount");
    std::set<std::string> pairs;
    for (const auto& c : m.combos)
        pairs.insert(c.workload + "/" + c.backend);
    for (const char* w : {"usemem", "usemem-random", "swapoff", "samefill", "pageswap", "pagecost"})
        for (const char* b : {"zswap", "disk"})
            EXPECT_TRUE(pairs.count(std::string(w) + "/" + b)) << w << "/" << b;
    EXPECT_TRUE(pairs.count("usemem-random/ramdisk"));
    EXPECT_TRUE(pairs.count("kbuild/zswap"));
    EXPECT_FALSE(pairs.count("kbuild/disk"));
    EXPECT_TRUE(pairs.count("usemem/zswap-only"));
    EXPECT_EQ(expand_matrix(m).size(), 3u * m.combos.size() * 5u);

    auto q = preset_matrix("quick", {"baseline", "vswap"});
    EXPECT_EQ(q.repeats, 3u);
    EXPECT_LT(q.combos.size(), m.combos.size());
    EXPECT_THROW(preset_matrix("huge", {"baseline"}), UserError);
}

TEST(Matrix, BadInputNamesTheCause) {
    auto expect_error = [](MatrixSpec m, const std::string& needle) {
        try {
            validate_matrix(m);
            FAIL() << "no error for " << needle;
        } catch (const UserError& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    auto m = small();
    m.kernels = {"baseline", "linux-9"};
    expect_error(m, "unknown kernel variant 'linux-9'");
    m = small();
    m.combos.push_back({"fio", "zswap"});
    expect_error(m, "unknown workload 'fio'");
    m = small();
    m.combos.push_back({"usemem", "nfs"});
    expect_error(m, "unknown backend 'nfs'");
    m = small();
    m.kernels.clear();
    expect_error(m, "no kernel");
    m = small();
    m.combos.clear();
    expect_error(m, "no workload");
    m = small();
    m.repeats = 0;
    expect_error(m, "0 repeats");
    m = small();
    m.combos.push_back({"usemem", "zswap"});
    expect_error(m, "twice");
    m = small();
    m.timing = "kvm";
    expect_error(m, "unknown timing");
}

TEST(Matrix, ParsesShards) {
    EXPECT_EQ(parse_shard("2/4"), (Shard{2, 4}));
    EXPECT_EQ(parse_shard("1/1"), (Shard{1, 1}));
    for (const char* bad : {"0/2", "3/2", "1/0", "a/b", "2", "1/2/3", "-1/2", ""})
        EXPECT_THROW(parse_shard(bad), UserError) << bad;
}

TEST(Matrix, ShardsCoverEveryRunOnceAndKeepKernelsTogether) {
    auto m = small();
    m.kernels = {"baseline", "vswap", "vswap-off"};
    m.repeats = 3;
    const auto cells = expand_matrix(m);
    for (unsigned n : {1u, 2u, 3u, 5u, 7u}) {
        std::map<std::string, int> seen;
        for (unsigned i = 1; i <= n; ++i) {
            auto part = shard_cells(cells, {i, n});
            // Within a shard, every group holds all kernels in order.
            ASSERT_EQ(part.size() % 3, 0u);
            for (size_t k = 0; k < part.size(); k += 3) {
                EXPECT_EQ(part[k].kernel, "baseline");
                EXPECT_EQ(part[k + 1].kernel, "vswap");
                EXPECT_EQ(part[k + 2].kernel, "vswap-off");
                EXPECT_EQ(part[k].workload, part[k + 2].workload);
                EXPECT_EQ(part[k].repeat, part[k + 2].repeat);
            }
            for (const auto& c : part)
                ++seen[c.id()];
        }
        EXPECT_EQ(seen.size(), cells.size()) << n << " shards";
        for (const auto& [id, count] : seen)
            EXPECT_EQ(count, 1) << id;
    }
    // More shards than groups: some shards are empty, none overlaps.
    EXPECT_TRUE(shard_cells(cells, {7, 7}).empty());
}

TEST(Matrix, JsonRoundTrip) {
    auto m = preset_matrix("default", {"baseline", "vswap"});
    m.timing = "mttcg";
    m.cpus = 4;
    nlohmann::json j = m;
    MatrixSpec back = j;
    EXPECT_EQ(back, m);
    Cell c{"vswap-off", "kbuild", "zswap", 4};
    Cell c2 = nlohmann::json(c);
    EXPECT_EQ(c2, c);
    EXPECT_EQ(c.id(), "r4_kbuild_zswap_vswap-off");
}

TEST(Catalog, EveryWorkloadAndBackendIsKnown) {
    for (const auto& w : all_workloads()) {
        EXPECT_FALSE(w.args.empty()) << w.name;
        // The guest subcommand is the workload's name, or its stem for a
        // variant (usemem-random runs usemem).
        EXPECT_TRUE(w.args[0] == w.name || w.name.rfind(w.args[0] + "-", 0) == 0)
            << w.name << " runs " << w.args[0];
        EXPECT_FALSE(w.metrics.empty()) << w.name;
        auto metrics = compared_metrics(w.name);
        std::set<std::string> names;
        for (const auto& m : metrics)
            EXPECT_TRUE(names.insert(m.name).second) << w.name << ": " << m.name << " twice";
    }
    EXPECT_THROW(find_workload("fio"), UserError);
    EXPECT_THROW(find_backend("nfs"), UserError);
    EXPECT_TRUE(find_backend("zswap-only").vswap_only);
    EXPECT_FALSE(find_backend("zswap-only").swap_device);
}
