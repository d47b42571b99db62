#include "guest/backend.h"
#include "guest/tests/framework.h"
#include "guest/tests/knobs.h"
#include "guest/tests/test_main.h"

#include <gtest/gtest.h>
#include <set>

using namespace vswap::tests;

TEST(GuestTests, TapLinesFollowKselftest) {
    TestResult pass{"integrity.disk", Status::Pass, "", 1, {}, {}};
    TestResult failed{"madvise.free", Status::Fail, "page 3\nis not zero", 1, {}, {}};
    TestResult skipped{"stress.failslab", Status::Skip, "not run: no filter", 0, {}, {}};
    TestResult unsupported{"integrity.zswap-only", Status::NotSupported, "needs vswap", 0, {}, {}};
    EXPECT_EQ(tap_header(4), "TAP version 13\n1..4\n");
    EXPECT_EQ(tap_line(1, pass), "ok 1 integrity.disk\n");
    EXPECT_EQ(tap_line(2, failed), "not ok 2 madvise.free # page 3 is not zero\n");
    EXPECT_EQ(tap_line(3, skipped), "ok 3 stress.failslab # SKIP not run: no filter\n");
    EXPECT_EQ(tap_line(4, unsupported),
              "ok 4 integrity.zswap-only # SKIP not supported: needs vswap\n");
    EXPECT_EQ(tap_totals({pass, failed, skipped, unsupported}),
              "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:2 error:0\n");
}

TEST(GuestTests, ResultsRoundTripThroughJson) {
    TestResult r{"memcg.max", Status::Fail, "memory.peak over", 2.5, {}, {}};
    r.leak.status = "not run";
    r.leak.reason = "counter entries not provided by this kernel";
    r.details = {{"memory.peak", 123}};
    RunInfo info{"vswap", "6.12.117 #1", true, 10};
    auto j = results_json(info, {r});
    EXPECT_EQ(j["kernel"], "vswap");
    EXPECT_EQ(j["summary"]["fail"], 1);
    EXPECT_EQ(j["tests"][0]["result"], "fail");
    TestResult back = result_from_json(j["tests"][0]);
    EXPECT_EQ(back.name, r.name);
    EXPECT_EQ(back.status, Status::Fail);
    EXPECT_EQ(back.reason, r.reason);
    EXPECT_EQ(back.leak.reason, r.leak.reason);
    EXPECT_EQ(back.details["memory.peak"], 123);
    for (Status s : {Status::Pass, Status::Fail, Status::Skip, Status::NotSupported})
        EXPECT_EQ(parse_status(status_name(s)), s);
}

TEST(GuestTests, SelectionByNameAndPatternKeepsStressExplicit) {
    auto all = all_tests();
    std::vector<std::string> unknown;
    auto defaults = select_tests(all, {}, unknown);
    std::set<std::string> names;
    for (auto* t : defaults)
        names.insert(t->name);
    EXPECT_TRUE(names.count("integrity.disk"));
    EXPECT_FALSE(names.count("stress.swap")); // explicit only
    auto integrity = select_tests(all, {"integrity.*"}, unknown);
    EXPECT_EQ(integrity.size(), std::size(vswap::kAllBackends));
    auto star = select_tests(all, {"*"}, unknown);
    EXPECT_EQ(star.size(), defaults.size());
    auto stress = select_tests(all, {"stress.swap"}, unknown);
    ASSERT_EQ(stress.size(), 1u);
    EXPECT_TRUE(unknown.empty());
    select_tests(all, {"no.such.test"}, unknown);
    ASSERT_EQ(unknown.size(), 1u);
}

TEST(GuestTests, EveryTestIsNamedOnceAndDescribed) {
    std::set<std::string> names;
    for (const auto& t : all_tests()) {
        EXPECT_TRUE(names.insert(t.name).second) << t.name;
        EXPECT_FALSE(t.summary.empty()) << t.name;
        EXPECT_TRUE(bool(t.body)) << t.name;
    }
    // The brief's areas are all covered.
    for (const char* name : {"integrity.disk",
                             "integrity.swapfile",
                             "integrity.zram",
                             "integrity.zswap",
                             "integrity.zswap-only",
                             "fork.cow",
                             "madvise.pageout",
                             "madvise.cold",
                             "madvise.free",
                             "madvise.dontneed",
                             "madvise.mremap",
                             "madvise.munmap",
                             "shmem.memfd",
                             "shmem.tmpfs",
                             "thp.mthp64k.zram",
                             "thp.pmd.disk",
                             "memcg.max",
                             "memcg.swap_max",
                             "memcg.zswap_max",
                             "memcg.zswap_writeback",
                             "swapoff.cycle.disk",
                             "swapoff.priority",
                             "zswap.writeback.shrinker",
                             "zswap.writeback.reclaim",
                             "pagemap.pm_swap",
                             "exhaustion.memcg",
                             "leak.counters",
                             "badinput.vswap_files",
                             "badinput.swapon_holes",
                             "badinput.swapon_too_small",
                             "badinput.swapon_active",
                             "stress.swap",
                             "stress.failslab"})
        EXPECT_TRUE(names.count(name)) << name;
}

TEST(GuestTests, SelectedValueReadsBracketedChoices) {
    EXPECT_EQ(selected_value("always [madvise] never\n"), "madvise");
    EXPECT_EQ(selected_value("60\n"), "60");
    EXPECT_EQ(selected_value("Y"), "Y");
}
