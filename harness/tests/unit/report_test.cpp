#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "host/report.h"
#include "host/report_plots.h"
#include "run_fixtures.h"

#include <gtest/gtest.h>

using namespace vswap;
using namespace vswap::testing;
namespace fs = std::filesystem;

namespace {

// Three kernels; usemem/zswap and samefill/disk on all, zswap-only usemem
// supported on vswap only.
ResultSet three_kernels() {
    ResultSet set;
    set.dir = "/synthetic";
    MatrixSpec m;
    m.name = "custom";
    m.kernels = {"baseline", "vswap", "vswap-off"};
    m.combos = {{"usemem", "zswap"}, {"samefill", "disk"}, {"usemem", "zswap-only"}};
    m.repeats = 3;
    set.matrix = MatrixFile{m, {1, 1}, "0.1.0+test", "2026-01-01T00:00:00Z"};
    for (const auto& c : expand_matrix(m)) {
        std::map<std::string, double> metrics;
        for (const auto& spec : compared_metrics(c.workload))
            metrics[spec.name] = 10 + c.repeat * 0.1 + (c.kernel == "vswap" ? 0.5 : 0);
        if (c.backend == "zswap-only" && c.kernel != "vswap")
            set.runs.push_back(
                make_run(c.kernel, c.workload, c.backend, c.repeat, {}, RunStatus::NotSupported));
        else
            set.runs.push_back(make_run(c.kernel, c.workload, c.backend, c.repeat, metrics));
    }
    set.runs.back().guest = {
        {"result",
         {{"latency",
           {{"bucket_upper_ns", {1000, 2000, 4000}}, {"series", {{"verify", {1, 5, 2}}}}}}}}};
    return set;
}

} // namespace

TEST(Report, HasEveryComparison) {
    ResultSet set = three_kernels();
    Report r = build_report(set, {});
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.json["base_kernel"], "baseline");
    EXPECT_EQ(r.json["candidate_kernels"], (nlohmann::json{"vswap", "vswap-off"}));
    const size_t expected =
        2 * (compared_metrics("usemem").size() + compared_metrics("samefill").size());
    ASSERT_EQ(r.json["comparisons"].size(), expected);
    for (const auto& c : r.json["comparisons"]) {
        for (const char* k : {"workload", "backend", "metric", "base_kernel", "candidate_kernel",
                              "base", "candidate", "ratio", "ci_low", "ci_high", "verdict"})
            ASSERT_TRUE(c.contains(k)) << k;
        EXPECT_NE(c["backend"], "zswap-only");
        EXPECT_NE(c["verdict"], "no data");
        if (c["candidate_kernel"] == "vswap-off") {
            EXPECT_EQ(c["verdict"], "same") << c.dump();
        }
    }
    // zswap-only: listed per kernel, not compared.
    bool vswap_ran = false;
    for (const auto& e : r.json["only_some_kernels"]) {
        EXPECT_EQ(e["backend"], "zswap-only");
        if (e["kernel"] == "vswap") {
            vswap_ran = true;
            EXPECT_EQ(e["runs_ok"], 3);
            EXPECT_EQ(e["metrics"]["wall_s"]["n"], 3);
        } else {
            EXPECT_EQ(e["runs_not_supported"], 3);
        }
    }
    EXPECT_TRUE(vswap_ran);
    EXPECT_EQ(r.json["not_supported"].size(), 2u);

    EXPECT_NE(r.markdown.find("# vswap benchmark report"), std::string::npos);
    EXPECT_NE(r.markdown.find("### usemem on zswap"), std::string::npos);
    EXPECT_NE(r.markdown.find("#### usemem on zswap: vswap vs baseline"), std::string::npos);
    EXPECT_NE(r.markdown.find("### usemem on zswap-only"), std::string::npos);
    EXPECT_NE(r.markdown.find("not supported: synthetic not-supported"), std::string::npos);
    EXPECT_EQ(r.markdown.find("INCOMPLETE"), std::string::npos);
}

TEST(Report, MissingAndFailedRunsAreNotHidden) {
    ResultSet set = three_kernels();
    set.runs.erase(set.runs.begin()); // r1_usemem_zswap_baseline
    set.runs[0].status = RunStatus::Failed;
    set.runs[0].reason = "guest timed out after 600 s\nconsole: ...";
    Report r = build_report(set, {});
    EXPECT_FALSE(r.complete);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.json["complete"], false);
    EXPECT_EQ(r.json["missing_runs"], (nlohmann::json{"r1_usemem_zswap_baseline"}));
    ASSERT_EQ(r.json["failed_runs"].size(), 1u);
    EXPECT_NE(r.markdown.find("INCOMPLETE REPORT"), std::string::npos);
    EXPECT_NE(r.markdown.find("## Failed runs"), std::string::npos);
    ASSERT_GE(r.problems.size(), 2u);
    for (const auto& p : r.problems)
        EXPECT_EQ(p.find('\n'), std::string::npos) << p;
}

TEST(Report, BadInputGivesOneClearLine) {
    ResultSet set = three_kernels();
    ResultSet one = set;
    one.matrix->matrix.kernels = {"baseline"};
    EXPECT_THROW(build_report(one, {}), UserError);
    ReportOptions o;
    o.base_kernel = "debug";
    try {
        build_report(set, o);
        FAIL();
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("base kernel 'debug' has no runs"), std::string::npos);
    }
}

TEST(Report, PlansPlotsPerPair) {
    ResultSet set = three_kernels();
    Report r = build_report(set, {});
    auto jobs = plan_plots(r.json, set);
    std::set<std::string> files;
    for (const auto& j : jobs) {
        files.insert(j.file.file);
        EXPECT_NE(j.script.find("set terminal svg"), std::string::npos);
        EXPECT_NE(j.script.find(j.file.file), std::string::npos);
        for (const auto& [name, data] : j.data) {
            EXPECT_NE(j.script.find(name), std::string::npos) << name;
            EXPECT_FALSE(data.empty()) << name;
        }
    }
    EXPECT_TRUE(files.count("usemem-zswap.svg"));
    EXPECT_TRUE(files.count("usemem-zswap-ratios.svg"));
    EXPECT_TRUE(files.count("samefill-disk.svg"));
    EXPECT_FALSE(files.count("usemem-zswap-only.svg"));
}

TEST(Report, WritesFilesAndDrawsWithGnuplot) {
    if (!program_in_path("gnuplot"))
        GTEST_SKIP() << "gnuplot is not installed";
    TempDir tmp;
    ResultSet set = three_kernels();
    ReportOptions o;
    Report r = build_report(set, o);
    write_report(tmp.path(), r, set, o);
    EXPECT_TRUE(fs::exists(tmp.path() / "report.md"));
    auto j = nlohmann::json::parse(read_file(tmp.path() / "report.json"));
    EXPECT_EQ(j["comparisons"].size(), r.json["comparisons"].size());
    ASSERT_FALSE(j["plots"].empty());
    for (const auto& p : j["plots"]) {
        std::string svg = read_file(tmp.path() / p.get<std::string>());
        EXPECT_NE(svg.find("<svg"), std::string::npos) << p;
        EXPECT_NE(r.markdown.find(p.get<std::string>()), std::string::npos) << p;
    }
    EXPECT_TRUE(r.passed) << (r.problems.empty() ? "" : r.problems[0]);
}

TEST(Report, FormatsNumbers) {
    EXPECT_EQ(format_number(0), "0");
    EXPECT_EQ(format_number(12345.6), "12346");
    EXPECT_EQ(format_number(42), "42");
    EXPECT_EQ(format_number(3.14159), "3.142");
    EXPECT_EQ(format_number(31.4159), "31.42");
    EXPECT_EQ(format_number(314.159), "314.2");
    EXPECT_EQ(format_number(0.0001234), "0.000123");
}

TEST(Report, GapsNameWhatIsMissing) {
    ResultSet set = three_kernels();
    EXPECT_TRUE(comparison_gaps(build_report(set, {}).json).empty());

    // A zswap-only failure on vswap is listed but is no gap: the base
    // kernel cannot run that backend, so there is nothing to compare.
    ResultSet zswap_only = set;
    for (auto& r : zswap_only.runs) {
        if (r.cell.backend == "zswap-only" && r.cell.kernel == "vswap") {
            r.status = RunStatus::Failed;
            r.reason = "the workload was killed by signal 9 (OOM killer)";
        }
    }
    Report z = build_report(zswap_only, {});
    EXPECT_FALSE(z.passed);
    EXPECT_TRUE(comparison_gaps(z.json).empty());

    // A failed run of a compared pair, a splat, a missing run: all gaps.
    ResultSet broken = set;
    broken.runs[1].status = RunStatus::Failed;
    broken.runs[1].reason = "kernel reported 1 problem(s), first: BUG at console line 7";
    broken.runs[1].splats = {{"BUG", 7, "BUG: unable to handle page fault"}};
    broken.runs.erase(broken.runs.begin() + 2);
    auto gaps = comparison_gaps(build_report(broken, {}).json);
    std::string all;
    for (const auto& g : gaps)
        all += g + "\n";
    EXPECT_NE(all.find("run(s) missing"), std::string::npos) << all;
    EXPECT_NE(all.find("failed: kernel reported"), std::string::npos) << all;
    EXPECT_NE(all.find("kernel problem in"), std::string::npos) << all;
}

TEST(Report, ListsVswapLeakChecksAndPeaks) {
    ResultSet set = three_kernels();
    for (auto& r : set.runs) {
        if (r.cell.kernel == "vswap" && r.status == RunStatus::Ok) {
            r.guest["vswap"] = {{"leak_check", r.cell.repeat == 2 ? "counters not back to 0: "
                                                                    "entries=3"
                                                                  : "ok"}};
            r.metrics["vswap_entries_peak"] = 1000.0 * r.cell.repeat;
        } else if (r.status == RunStatus::Ok) {
            r.guest["vswap"] = {{"leak_check", "not supported: no /sys/kernel/debug/vswap"}};
        }
    }
    Report r = build_report(set, {});
    const auto& v = r.json["vswap_counters"];
    ASSERT_EQ(v.size(), 3u); // the three pairs, vswap only
    for (const auto& e : v) {
        EXPECT_EQ(e["kernel"], "vswap");
        EXPECT_EQ(e["leak_checks"]["ok"], 2);
        EXPECT_EQ(e["leak_checks"]["counters not back to 0: entries=3"], 1);
        EXPECT_EQ(e["peaks"]["vswap_entries_peak"], 3000);
    }
    EXPECT_NE(r.markdown.find("1× counters not back to 0: entries=3"), std::string::npos);
    EXPECT_NE(r.markdown.find("entries 3000"), std::string::npos);
}
