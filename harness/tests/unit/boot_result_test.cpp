#include "host/boot_result.h"

#include <gtest/gtest.h>

using namespace vswap;

TEST(BootResult, JsonRoundTrip) {
    BootResult r;
    r.kernel = "vswap";
    r.command = {"sh", "-c", "echo hi"};
    r.exit_status = 3;
    r.timeout_s = 600;
    r.seconds = 12.5;
    r.run_dir = "/b/runs/x";
    r.splats = {{"WARNING", 42, "WARNING: CPU: 0\nCall Trace:"}};
    r.console_tail = "tail";
    r.stdout_text = "hi\n";
    r.stderr_text = "err\n";
    nlohmann::json j = r;
    EXPECT_EQ(j["exit_status"], 3);
    EXPECT_EQ(j["passed"], false);
    EXPECT_EQ(j["splats"][0]["line"], 42);
    BootResult back = j.get<BootResult>();
    EXPECT_EQ(back.kernel, r.kernel);
    EXPECT_EQ(back.command, r.command);
    EXPECT_EQ(back.exit_status, r.exit_status);
    EXPECT_EQ(back.seconds, r.seconds);
    ASSERT_EQ(back.splats.size(), 1u);
    EXPECT_EQ(back.splats[0].text, r.splats[0].text);
    EXPECT_EQ(back.stdout_text, r.stdout_text);
    EXPECT_EQ(nlohmann::json(back), j);
}

TEST(BootResult, MissingStatusIsNullAndAFailure) {
    BootResult r;
    r.kernel = "baseline";
    nlohmann::json j = r;
    EXPECT_TRUE(j["exit_status"].is_null());
    EXPECT_FALSE(j.get<BootResult>().exit_status.has_value());
    ASSERT_TRUE(r.failure().has_value());
    EXPECT_NE(r.failure()->find("without reporting an exit status"), std::string::npos);
}

TEST(BootResult, NoStatusIsDueFromABootWithoutShares) {
    // A hibernation boot runs no command: only a timeout or splat fails it.
    BootResult r;
    r.reports_exit_status = false;
    EXPECT_FALSE(r.failure().has_value());
    EXPECT_FALSE(r.passed()) << "no status is no pass either";
    EXPECT_FALSE(nlohmann::json(r).get<BootResult>().reports_exit_status);
    r.splats = {{"BUG", 3, "BUG: x"}};
    EXPECT_NE(r.failure()->find("BUG at console line 3"), std::string::npos);
}

TEST(BootResult, Verdicts) {
    BootResult r;
    r.exit_status = 0;
    EXPECT_TRUE(r.passed());
    r.exit_status = 1;
    EXPECT_FALSE(r.passed());
    EXPECT_FALSE(r.failure().has_value()) << "a failing command is not a guest failure";
    r.exit_status = 0;
    r.splats = {{"BUG", 7, "BUG: x"}};
    EXPECT_FALSE(r.passed());
    EXPECT_NE(r.failure()->find("BUG at console line 7"), std::string::npos);
    r.splats.clear();
    r.timed_out = true;
    r.timeout_s = 30;
    EXPECT_EQ(*r.failure(), "guest timed out after 30 s");
}

TEST(BootResult, CorruptJsonIsRejected) {
    EXPECT_THROW(nlohmann::json::parse("{\"kernel\": 1}").get<BootResult>(),
                 nlohmann::json::exception);
}
