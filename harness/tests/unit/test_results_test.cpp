#include "common/error.h"
#include "common/text.h"
#include "host/selftests.h"
#include "host/test_results.h"

#include <gtest/gtest.h>
#include <unistd.h>

using namespace vswap;

namespace {

TestRun run_of(const std::string& kernel, std::vector<TestRecord> tests) {
    TestRun r;
    r.kind = "guest-suite";
    r.kernel = kernel;
    r.tests = std::move(tests);
    return r;
}

} // namespace

TEST(TestResults, ParsesKselftestTapWithSkipsAndDuplicatedOutput) {
    // A forked child repeated the buffered first lines: the last one per
    // number counts.
    const char* tap = "TAP version 13\n1..4\n# [RUN] Basic COW\n"
                      "ok 1 Basic COW after fork() with base page\n"
                      "ok 1 Basic COW after fork() with base page\n"
                      "not ok 2 Basic COW after fork() with THP\n"
                      "ok 3 Basic COW with hugetlb # SKIP need more free huge pages\n"
                      "ok 4 test_memcg_oom_events # XFAIL known\n"
                      "# Totals: pass:2 fail:1 xfail:1 xpass:0 skip:1 error:0\n";
    auto records = parse_kselftest_tap(tap, "cow");
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0].name, "cow: Basic COW after fork() with base page");
    EXPECT_EQ(records[0].result, "pass");
    EXPECT_EQ(records[1].result, "fail");
    EXPECT_EQ(records[2].result, "skip");
    EXPECT_EQ(records[2].reason, "need more free huge pages");
    EXPECT_EQ(records[3].result, "pass");
}

TEST(TestResults, RepeatedNamesGetTheirNumber) {
    auto records = parse_kselftest_tap("ok 1 same\nnot ok 2 same\n", "t");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].name, "t: same");
    EXPECT_EQ(records[1].name, "t: same [2]");
}

TEST(TestResults, SelftestThatDiesIsAFailedRunRecord) {
    auto killed = selftest_records("cow", "ok 1 a\n", 137, 900);
    ASSERT_EQ(killed.size(), 2u);
    EXPECT_EQ(killed[0].name, "cow: run");
    EXPECT_EQ(killed[0].result, "fail");
    EXPECT_NE(killed[0].reason.find("timeout"), std::string::npos);
    auto segv = selftest_records("cow", "ok 1 a\n", 139, 3);
    EXPECT_EQ(segv[0].result, "fail");
    EXPECT_NE(segv[0].reason.find("signal 11"), std::string::npos);
    auto skipped = selftest_records("test_zswap", "1..0 # SKIP zswap isn't configured\n", 4, 0);
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_EQ(skipped[0].result, "skip");
    auto some_failed = selftest_records("t", "ok 1 a\nnot ok 2 b\n", 1, 5);
    EXPECT_EQ(some_failed[0].result, "pass"); // the run itself completed
    EXPECT_EQ(some_failed[2].result, "fail");
    auto lost = selftest_records("t", "", std::nullopt, 0);
    EXPECT_EQ(lost[0].result, "fail");
}

TEST(TestResults, ATestThatPassesItsRerunIsAFlakyPass) {
    auto first = selftest_records("t", "ok 1 a\nnot ok 2 b\nnot ok 3 c\n", 1, 5);
    mark_flaky(first, parse_kselftest_tap("ok 1 a\nok 2 b\nnot ok 3 c\n", "t"));
    ASSERT_EQ(first.size(), 4u);
    EXPECT_EQ(first[2].result, "pass");
    EXPECT_NE(first[2].reason.find("flaky"), std::string::npos);
    EXPECT_EQ(first[3].result, "fail"); // failed both times
}

TEST(TestResults, RegressionsAreWhatTheBasePassesAndTheCandidateDoesNot) {
    TestRun base = run_of("baseline", {{"a", "pass", "", 0},
                                       {"b", "pass", "", 0},
                                       {"c", "fail", "x", 0},
                                       {"d", "pass", "", 0},
                                       {"e", "not-supported", "", 0}});
    TestRun cand = run_of("vswap", {{"a", "pass", "", 0},
                                    {"b", "fail", "corrupt page 3", 0},
                                    {"c", "fail", "x", 0},
                                    {"e", "pass", "", 0}});
    auto r = find_regressions(base, cand);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].test, "b");
    EXPECT_EQ(r[0].candidate_result, "fail");
    EXPECT_EQ(r[0].reason, "corrupt page 3");
    EXPECT_EQ(r[1].test, "d");
    EXPECT_EQ(r[1].candidate_result, "missing");
}

TEST(TestResults, TableHasAColumnPerKernelAndCanShowOnlyDifferences) {
    std::vector<TestRun> runs = {
        run_of("baseline", {{"same", "pass", "", 0}, {"differs", "pass", "", 0}}),
        run_of("vswap", {{"same", "pass", "", 0}, {"differs", "fail", "a|b", 0}})};
    auto full = render_results_table(runs, false);
    EXPECT_NE(full.find("| Test | baseline | vswap |"), std::string::npos);
    EXPECT_NE(full.find("| same | pass | pass |"), std::string::npos);
    EXPECT_NE(full.find("| differs | pass | fail: a b |"), std::string::npos);
    auto diff = render_results_table(runs, true);
    EXPECT_EQ(diff.find("| same |"), std::string::npos);
    EXPECT_NE(diff.find("| differs |"), std::string::npos);
    auto summary = render_summary(runs);
    EXPECT_NE(summary.find("| vswap | guest-suite | 1 | 1 |"), std::string::npos);
}

TEST(TestResults, RunsRoundTripThroughJsonAndDisk) {
    char dir[] = "/tmp/vswap-results-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    Paths paths{dir};
    TestRun run = run_of("vswap", {{"x", "pass", "", 1.5}, {"y", "skip", "why", 0}});
    run.error = "guest timed out after 10 s";
    run.splats = {"KASAN at console line 3: BUG: KASAN"};
    run.figures = {{"minutes", 2.0}};
    save_test_run(paths, run);
    auto back = load_test_run(paths, "vswap", "guest-suite");
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->tests.size(), 2u);
    EXPECT_EQ(back->tests[1].reason, "why");
    EXPECT_EQ(back->error, run.error);
    EXPECT_EQ(back->splats, run.splats);
    EXPECT_DOUBLE_EQ(back->figures["minutes"].get<double>(), 2.0);
    EXPECT_FALSE(back->passed());
    EXPECT_FALSE(load_test_run(paths, "baseline", "guest-suite").has_value());
    write_file_atomic(test_run_path(paths, "baseline", "guest-suite"), "{not json");
    EXPECT_THROW(load_test_run(paths, "baseline", "guest-suite"), UserError);
    std::filesystem::remove_all(dir);
}

TEST(TestResults, ReadsTheGuestJson) {
    auto j = nlohmann::json::parse(R"({"tests":[{"name":"integrity.disk","result":"pass",
        "reason":"","seconds":3.5},{"name":"integrity.zswap-only","result":"not-supported",
        "reason":"needs virtual swap"}]})");
    auto records = records_from_guest_json(j);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].result, "not-supported");
    EXPECT_DOUBLE_EQ(records[0].seconds, 3.5);
}
