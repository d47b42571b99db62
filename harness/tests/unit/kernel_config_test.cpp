#include "common/error.h"
#include "host/kernel_config.h"

#include <gtest/gtest.h>

using namespace vswap;

TEST(KernelConfig, ParsesValuesAndNotSet) {
    auto s = parse_config("# comment\nCONFIG_SWAP=y\n\n# CONFIG_SLUB_TINY is not set\n"
                          "CONFIG_NR_CPUS=8\nCONFIG_ZSWAP_COMPRESSOR_DEFAULT=\"lzo\"\n",
                          "frag");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].name, "CONFIG_SWAP");
    EXPECT_EQ(s[0].value, "y");
    EXPECT_EQ(s[0].origin, "frag:2");
    EXPECT_EQ(s[1].name, "CONFIG_SLUB_TINY");
    EXPECT_FALSE(s[1].value.has_value());
    EXPECT_EQ(s[2].value, "8");
    EXPECT_EQ(s[3].value, "\"lzo\"");
}

TEST(KernelConfig, MalformedLineNamesSourceAndLine) {
    try {
        parse_config("CONFIG_A=y\nSWAP=y\n", "configs/guest.config");
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("configs/guest.config:2"), std::string::npos);
    }
    EXPECT_THROW(parse_config("CONFIG_A=\n", "f"), UserError);
    EXPECT_THROW(parse_config("CONFIG_=y\n", "f"), UserError);
}

TEST(KernelConfig, LaterFragmentsWin) {
    auto merged = merge_settings(parse_config("CONFIG_A=y\nCONFIG_A=m\n# CONFIG_B is not set\n"
                                              "CONFIG_B=y\n",
                                              "f"));
    EXPECT_EQ(merged.at("CONFIG_A").value, "m");
    EXPECT_EQ(merged.at("CONFIG_B").value, "y");
}

TEST(KernelConfig, ReportsEveryMissingOption) {
    auto wanted = merge_settings(parse_config(
        "CONFIG_SWAP=y\nCONFIG_ZSWAP=y\n# CONFIG_SLUB_TINY is not set\nCONFIG_NR_CPUS=8\n"
        "CONFIG_KASAN=n\n",
        "configs/guest.config"));
    auto mismatches = check_config(wanted, "CONFIG_SWAP=y\nCONFIG_SLUB_TINY=y\nCONFIG_NR_CPUS=64\n"
                                           "# CONFIG_ZSWAP is not set\n");
    ASSERT_EQ(mismatches.size(), 3u);
    // std::map order: NR_CPUS, SLUB_TINY, ZSWAP.
    EXPECT_EQ(mismatches[0].wanted.name, "CONFIG_NR_CPUS");
    EXPECT_EQ(mismatches[0].actual, "64");
    EXPECT_EQ(mismatches[1].wanted.name, "CONFIG_SLUB_TINY");
    EXPECT_EQ(mismatches[2].wanted.name, "CONFIG_ZSWAP");
    EXPECT_FALSE(mismatches[2].actual.has_value());
    EXPECT_EQ(mismatches[2].describe(),
              "CONFIG_ZSWAP=y (configs/guest.config:2) is not set in the final .config");
}

TEST(KernelConfig, SatisfiedConfigHasNoMismatch) {
    auto wanted = merge_settings(parse_config("CONFIG_A=y\n# CONFIG_B is not set\n", "f"));
    EXPECT_TRUE(check_config(wanted, "CONFIG_A=y\n").empty());
    EXPECT_TRUE(check_config(wanted, "CONFIG_A=y\n# CONFIG_B is not set\n").empty());
}
