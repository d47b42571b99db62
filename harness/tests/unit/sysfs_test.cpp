#include "guest/sysfs.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace vswap::sysfs;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char name[] = "/tmp/vswap-sysfs-test-XXXXXX";
        path = mkdtemp(name);
    }
    ~TempDir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
    }
};

} // namespace

TEST(Sysfs, ParsesKeyValueLines) {
    auto c = parse_key_values("pswpin 10\npswpout 20\n\nnr_free_pages 3\n");
    EXPECT_EQ(c.size(), 3u);
    EXPECT_EQ(c["pswpin"], 10u);
    EXPECT_EQ(c["pswpout"], 20u);
    EXPECT_EQ(c["nr_free_pages"], 3u);
}

TEST(Sysfs, RejectsMalformedKeyValueLinesNamingTheOrigin) {
    try {
        parse_key_values("anon 1\nsome avg10=0.00\n", "memory.pressure");
        FAIL() << "no exception";
    } catch (const SysfsError& e) {
        EXPECT_NE(std::string(e.what()).find("memory.pressure"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("some avg10=0.00"), std::string::npos);
    }
    EXPECT_THROW(parse_key_values("key -1\n"), SysfsError);
    EXPECT_THROW(parse_key_values("lonely\n"), SysfsError);
}

TEST(Sysfs, ParsesMeminfoInBytes) {
    auto m = parse_meminfo("MemTotal:        1000 kB\nSwapFree:   0 kB\nHugePages_Total:  "
                           "  2\n");
    EXPECT_EQ(m["MemTotal"], 1000u * 1024);
    EXPECT_EQ(m["SwapFree"], 0u);
    EXPECT_EQ(m["HugePages_Total"], 2u);
}

TEST(Sysfs, ParsesTheAggregateCpuLineOfProcStat) {
    auto cpu = parse_proc_stat_cpu("cpu  10 1 20 300 4 5 6 7 0 0\n"
                                   "cpu0 5 0 10 150 2 3 3 4 0 0\nintr 99\n");
    EXPECT_EQ(cpu["system"], 20u);
    EXPECT_EQ(cpu["irq"], 5u);
    EXPECT_EQ(cpu["softirq"], 6u);
    EXPECT_EQ(cpu["steal"], 7u);
    EXPECT_THROW(parse_proc_stat_cpu("cpu0 5 0 10 150 2 3 3 4\n"), SysfsError);
    EXPECT_THROW(parse_proc_stat_cpu("cpu 5 0 10\n"), SysfsError);
}

TEST(Sysfs, DeltaCountsNewKeysFromZeroAndClampsDecreases) {
    Counters before{{"a", 5}, {"b", 9}};
    Counters after{{"a", 7}, {"b", 3}, {"c", 4}};
    auto d = counter_delta(before, after);
    EXPECT_EQ(d["a"], 2u);
    EXPECT_EQ(d["b"], 0u);
    EXPECT_EQ(d["c"], 4u);
}

TEST(Sysfs, ReadsNumbersAndNamesBadFiles) {
    TempDir dir;
    dir.write("good", "42\n");
    dir.write("bad", "forty-two\n");
    EXPECT_EQ(read_u64(dir.path / "good"), 42u);
    EXPECT_FALSE(read_u64_if_exists(dir.path / "absent").has_value());
    try {
        read_u64(dir.path / "bad");
        FAIL() << "no exception";
    } catch (const SysfsError& e) {
        EXPECT_NE(std::string(e.what()).find("forty-two"), std::string::npos);
        EXPECT_EQ(e.error(), 0);
    }
    try {
        read_text(dir.path / "absent");
        FAIL() << "no exception";
    } catch (const SysfsError& e) {
        EXPECT_EQ(e.error(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("absent"), std::string::npos);
    }
}

TEST(Sysfs, WriteReportsErrno) {
    TempDir dir;
    EXPECT_EQ(try_write_text(dir.path / "no/such/file", "1"), ENOENT);
    dir.write("f", "");
    write_text(dir.path / "f", "123");
    EXPECT_EQ(read_u64(dir.path / "f"), 123u);
    EXPECT_THROW(write_text(dir.path / "no/such/file", "1"), SysfsError);
}

TEST(Sysfs, VswapCountersAbsentDirectoryIsNullopt) {
    EXPECT_FALSE(read_vswap_counters("/nonexistent/vswap").has_value());
}

TEST(Sysfs, VswapCountersListWhatIsMissing) {
    TempDir dir;
    dir.write("entries", "3\n");
    dir.write("clusters", "1\n");
    dir.write("extra_gauge", "7\n");
    dir.write("notes", "not a number\n");
    auto c = read_vswap_counters(dir.path);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->values.at("entries"), 3u);
    EXPECT_EQ(c->values.at("clusters"), 1u);
    EXPECT_EQ(c->values.at("extra_gauge"), 7u);
    EXPECT_EQ(c->values.count("notes"), 0u);
    EXPECT_EQ(c->missing.size(), 3u);
    EXPECT_NE(std::find(c->missing.begin(), c->missing.end(), "backing_zswap"), c->missing.end());
}
