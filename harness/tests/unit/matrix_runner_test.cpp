#include "host/matrix_runner.h"

#include <gtest/gtest.h>

using namespace vswap;

TEST(MatrixRunner, GuestCommandAttachesTheRightDisks) {
    auto cmd = guest_command({"baseline", "usemem", "zswap", 1}, "");
    std::vector<std::string> want = {
        "vswap-guest",   "bench",    "--backend",    "zswap", "--out", "/job/result.json",
        "--swap-device", "/dev/vda", "--memory-max", "32M",   "--"};
    ASSERT_GE(cmd.size(), want.size());
    EXPECT_EQ(std::vector<std::string>(cmd.begin(), cmd.begin() + want.size()), want);
    EXPECT_EQ(cmd[want.size()], "usemem");

    // swapfile: the swap file lives on the scratch disk, the first disk.
    auto sf = guest_command({"baseline", "samefill", "swapfile", 1}, "");
    auto at = [&](const std::vector<std::string>& v, const std::string& k) {
        for (size_t i = 0; i + 1 < v.size(); ++i)
            if (v[i] == k)
                return v[i + 1];
        return std::string("-");
    };
    EXPECT_EQ(at(sf, "--scratch-device"), "/dev/vda");
    EXPECT_EQ(at(sf, "--swap-device"), "-");
    EXPECT_NE(at(sf, "--swap-size"), "-");

    // swapoff on disk: swap disk first, its scratch disk second.
    auto so = guest_command({"baseline", "swapoff", "disk", 1}, "");
    EXPECT_EQ(at(so, "--swap-device"), "/dev/vda");
    EXPECT_EQ(at(so, "--scratch-device"), "/dev/vdb");

    auto kb = guest_command({"baseline", "kbuild", "zswap", 1}, "/host/kit.tar");
    EXPECT_EQ(at(kb, "--kit"), "/host/kit.tar");
    EXPECT_EQ(at(kb, "--memory-max"), "48M");

    auto zo = guest_command({"vswap", "usemem", "zswap-only", 1}, "");
    EXPECT_EQ(at(zo, "--swap-device"), "-");
}

TEST(MatrixRunner, SupportDependsOnTheKernel) {
    KernelIdentity baseline{"baseline", "c1", "i1", false};
    KernelIdentity vswap{"vswap", "c2", "i2", true};
    auto reason = unsupported_reason({"baseline", "usemem", "zswap-only", 1}, baseline);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("CONFIG_VIRTUAL_SWAP=y"), std::string::npos);
    EXPECT_FALSE(unsupported_reason({"vswap", "usemem", "zswap-only", 1}, vswap));
    EXPECT_TRUE(unsupported_reason({"vswap", "swapoff", "zswap-only", 1}, vswap));
    EXPECT_FALSE(unsupported_reason({"baseline", "swapoff", "zram", 1}, baseline));
    KernelIdentity unknown{"baseline", "", "i1", false};
    EXPECT_NE(unsupported_reason({"baseline", "usemem", "zswap-only", 1}, unknown)
                  ->find("no recorded .config"),
              std::string::npos);
}

TEST(MatrixRunner, EtaLearnsFromMeasuredRuns) {
    EtaEstimator eta;
    std::vector<Cell> cells = {{"baseline", "usemem", "zswap", 1},
                               {"vswap", "usemem", "zswap", 1},
                               {"baseline", "samefill", "disk", 1}};
    const double before = eta.estimate(cells[0]);
    EXPECT_GT(before, 0);
    eta.record(cells[0], 100);
    eta.record(cells[1], 50);
    EXPECT_DOUBLE_EQ(eta.estimate(cells[1]), 75);
    EXPECT_DOUBLE_EQ(eta.remaining(cells, 1), 75 + eta.estimate(cells[2]));
    EXPECT_DOUBLE_EQ(eta.remaining(cells, 3), 0);
}
