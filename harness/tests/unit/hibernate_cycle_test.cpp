#include "host/hibernate_cycle.h"

#include <gtest/gtest.h>

using namespace vswap;

TEST(HibernateCycle, FindsTheAgentsReportAmongOtherOutput) {
    auto report = find_hibernate_report(
        "hibernate-cycle: hibernating\n"
        "vswap-hibernate: "
        "{\"result\":\"pass\",\"resumed\":true,\"corrupt_pages_after_restore\":0}\n"
        "trailing noise\n");
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->value("result", ""), "pass");
    EXPECT_TRUE(report->value("resumed", false));
}

TEST(HibernateCycle, NoReportIsNotAResult) {
    // Boot 1 writes none when it hibernates: the cycle goes on to boot 2.
    EXPECT_FALSE(find_hibernate_report("hibernate-cycle: hibernating\n").has_value());
    EXPECT_FALSE(find_hibernate_report("").has_value());
    // The prefix must start the line.
    EXPECT_FALSE(find_hibernate_report("echo vswap-hibernate: {}\n").has_value());
}

TEST(HibernateCycle, ACorruptReportFails) {
    auto report = find_hibernate_report("vswap-hibernate: {\"result\":\"pa\n");
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->value("result", ""), "fail");
    EXPECT_NE(report->value("reason", "").find("corrupt"), std::string::npos);
}
