#include "host/console_scan.h"

#include <gtest/gtest.h>

using namespace vswap;

TEST(ConsoleScan, CleanBootHasNoSplat) {
    const char* log = "[    0.000000] Linux version 6.12.117\n"
                      "[    0.100000] Adding 1048572k swap on /dev/vda.\n"
                      "[    1.000000] Out of memory: Killed process 42 (usemem)\n"
                      "[    1.200000] lockdep: MAX_LOCKDEP_SUBCLASSES: 8\n";
    EXPECT_TRUE(scan_console(log).empty());
}

TEST(ConsoleScan, FindsEachKind) {
    struct Case {
        const char* line;
        const char* kind;
    } cases[] = {
        {"[ 1.0] BUG: KASAN: use-after-free in vswap_free+0x10/0x20", "KASAN"},
        {"[ 1.0] WARNING: CPU: 0 PID: 1 at mm/vswap.c:10 f+0x1/0x2", "WARNING"},
        {"[ 1.0] WARNING: possible circular locking dependency detected", "lockdep"},
        {"[ 1.0] rcu: INFO: rcu_sched self-detected stall on CPU", "RCU stall"},
        {"[ 1.0] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:", "RCU stall"},
        {"[ 1.0] INFO: task kswapd0:30 blocked for more than 120 seconds.", "hung task"},
        {"[ 1.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!", "soft lockup"},
        {"[ 1.0] Oops: general protection fault, probably for non-canonical address", "Oops"},
        {"[ 1.0] Kernel panic - not syncing: Fatal exception", "panic"},
        {"[ 1.0] kernel BUG at mm/swapfile.c:1234!", "BUG"},
        {"[ 1.0] BUG: Bad page state in process usemem", "BUG"},
    };
    for (const auto& c : cases) {
        auto splats = scan_console(std::string("boot\n") + c.line + "\n");
        ASSERT_EQ(splats.size(), 1u) << c.line;
        EXPECT_EQ(splats[0].kind, c.kind) << c.line;
        EXPECT_EQ(splats[0].line, 2u);
        EXPECT_NE(splats[0].text.find(c.line), std::string::npos);
    }
}

TEST(ConsoleScan, QuotesContextAndDoesNotRepeatTheSameSplat) {
    std::string log = "ok\n"
                      "WARNING: CPU: 0 PID: 1 at mm/vswap.c:10 f+0x1/0x2\n"
                      "Call Trace:\n"
                      " WARNING: nested line of the same report\n"
                      "BUG: sleeping function called from invalid context\n";
    for (int i = 0; i < 20; ++i)
        log += "filler\n";
    log += "Kernel panic - not syncing: Fatal exception\n";
    auto splats = scan_console(log, 2);
    ASSERT_EQ(splats.size(), 3u);
    EXPECT_EQ(splats[0].kind, "WARNING");
    EXPECT_NE(splats[0].text.find("Call Trace:"), std::string::npos);
    EXPECT_EQ(splats[0].text.find("sleeping function"), std::string::npos) << "2 lines of context";
    EXPECT_EQ(splats[1].kind, "BUG");
    EXPECT_EQ(splats[1].line, 5u);
    EXPECT_EQ(splats[2].kind, "panic");
}

TEST(ConsoleScan, SplatAfterContextWindowIsReported) {
    auto splats = scan_console("WARNING: a\nx\nBUG: b\n", 1);
    ASSERT_EQ(splats.size(), 2u);
    EXPECT_EQ(splats[1].kind, "BUG");
    EXPECT_EQ(splats[1].line, 3u);
}
