#include "host/test_results.h"

#include "common/error.h"
#include "common/text.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

namespace vswap {
namespace fs = std::filesystem;
namespace {

// "ok 12 some test # SKIP why" -> {true, 12, "some test", "SKIP why"}
struct TapLine {
    bool ok;
    long number;
    std::string description;
    std::string directive;
};

std::optional<TapLine> parse_tap_line(const std::string& raw) {
    std::string line = trim(raw);
    TapLine t{};
    std::string rest;
    if (line.rfind("not ok ", 0) == 0) {
        t.ok = false;
        rest = line.substr(7);
    } else if (line.rfind("ok ", 0) == 0) {
        t.ok = true;
        rest = line.substr(3);
    } else {
        return std::nullopt;
    }
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])))
        ++digits;
    if (digits == 0)
        return std::nullopt;
    t.number = std::stol(rest.substr(0, digits));
    rest = trim(std::string_view(rest).substr(digits));
    if (!rest.empty() && rest[0] == '-')
        rest = trim(std::string_view(rest).substr(1));
    size_t hash = rest.find(" # ");
    if (rest.rfind("# ", 0) == 0)
        hash = 0;
    if (hash != std::string::npos) {
        t.directive = trim(std::string_view(rest).substr(hash + (hash == 0 ? 1 : 2)));
        rest = rest.substr(0, hash);
    }
    t.description = trim(rest);
    return t;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string cell(const TestRecord* r) {
    if (!r)
        return "—";
    return r->result;
}

} // namespace

size_t TestRun::count(std::string_view result) const {
    return static_cast<size_t>(std::count_if(
        tests.begin(), tests.end(), [&](const TestRecord& t) { return t.result == result; }));
}

const TestRecord* TestRun::find(const std::string& name) const {
    for (const auto& t : tests)
        if (t.name == name)
            return &t;
    return nullptr;
}

void to_json(nlohmann::json& j, const TestRecord& r) {
    j = {{"name", r.name}, {"result", r.result}, {"reason", r.reason}, {"seconds", r.seconds}};
}

void from_json(const nlohmann::json& j, TestRecord& r) {
    j.at("name").get_to(r.name);
    j.at("result").get_to(r.result);
    r.reason = j.value("reason", "");
    r.seconds = j.value("seconds", 0.0);
}

void to_json(nlohmann::json& j, const TestRun& r) {
    j = {{"format", "vswap-test-run/1"},
         {"kind", r.kind},
         {"kernel", r.kernel},
         {"when", r.when},
         {"config_hash", r.config_hash},
         {"image_hash", r.image_hash},
         {"seconds", r.seconds},
         {"run_dir", r.run_dir},
         {"error", r.error},
         {"splats", r.splats},
         {"summary",
          {{"pass", r.count("pass")},
           {"fail", r.count("fail")},
           {"skip", r.count("skip")},
           {"not-supported", r.count("not-supported")},
           {"not-run", r.count("not-run")}}},
         {"figures", r.figures},
         {"tests", r.tests}};
}

void from_json(const nlohmann::json& j, TestRun& r) {
    j.at("kind").get_to(r.kind);
    j.at("kernel").get_to(r.kernel);
    r.when = j.value("when", "");
    r.config_hash = j.value("config_hash", "");
    r.image_hash = j.value("image_hash", "");
    r.seconds = j.value("seconds", 0.0);
    r.run_dir = j.value("run_dir", "");
    r.error = j.value("error", "");
    r.splats = j.value("splats", std::vector<std::string>{});
    r.figures = j.value("figures", nlohmann::json::object());
    j.at("tests").get_to(r.tests);
}

std::vector<TestRecord> records_from_guest_json(const nlohmann::json& results) {
    std::vector<TestRecord> records;
    for (const auto& t : results.at("tests")) {
        TestRecord r;
        r.name = t.at("name").get<std::string>();
        r.result = t.at("result").get<std::string>();
        r.reason = t.value("reason", "");
        r.seconds = t.value("seconds", 0.0);
        records.push_back(r);
    }
    return records;
}

std::vector<TestRecord> parse_kselftest_tap(std::string_view tap, const std::string& prefix) {
    std::map<long, TapLine> by_number; // the last line for each number wins
    for (const auto& line : split_lines(tap))
        if (auto t = parse_tap_line(line))
            by_number[t->number] = *t;
    std::vector<TestRecord> records;
    std::set<std::string> names;
    for (const auto& [number, t] : by_number) {
        TestRecord r;
        r.name = prefix + ": " +
                 (t.description.empty() ? "test " + std::to_string(number) : t.description);
        if (!names.insert(r.name).second)
            r.name += " [" + std::to_string(number) + "]";
        const std::string directive = lower(t.directive);
        if (directive.rfind("skip", 0) == 0) {
            r.result = "skip";
            r.reason = trim(std::string_view(t.directive).substr(4));
        } else if (directive.rfind("xfail", 0) == 0) {
            r.result = "pass"; // an expected failure is kselftest's pass
            r.reason = t.directive;
        } else {
            r.result = t.ok ? "pass" : "fail";
            r.reason = t.directive;
        }
        records.push_back(r);
    }
    return records;
}

fs::path test_run_path(const Paths& paths, const std::string& kernel, const std::string& kind) {
    return paths.build() / "test-results" / kernel / (kind + ".json");
}

void save_test_run(const Paths& paths, const TestRun& run) {
    const fs::path file = test_run_path(paths, run.kernel, run.kind);
    fs::create_directories(file.parent_path());
    write_file_atomic(file, nlohmann::json(run).dump(2) + "\n");
}

std::optional<TestRun> load_test_run(const Paths& paths, const std::string& kernel,
                                     const std::string& kind) {
    const fs::path file = test_run_path(paths, kernel, kind);
    auto text = read_file_if_exists(file);
    if (!text)
        return std::nullopt;
    try {
        return nlohmann::json::parse(*text).get<TestRun>();
    } catch (const std::exception& e) {
        throw UserError("the saved results " + file.string() + " are corrupt (" + e.what() + ")",
                        "delete the file and run the tests again");
    }
}

std::string render_results_table(const std::vector<TestRun>& runs, bool differences_only) {
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& run : runs)
        for (const auto& t : run.tests)
            if (seen.insert(t.name).second)
                names.push_back(t.name);
    std::string out = "| Test |";
    std::string rule = "|---|";
    for (const auto& run : runs) {
        out += " " + run.kernel + " |";
        rule += "---|";
    }
    out += "\n" + rule + "\n";
    size_t rows = 0;
    for (const auto& name : names) {
        std::set<std::string> results;
        bool failed = false;
        std::string row = "| " + name + " |";
        for (const auto& run : runs) {
            const TestRecord* r = run.find(name);
            results.insert(cell(r));
            failed |= r && r->result == "fail";
            std::string text = cell(r);
            if (r && r->result == "fail" && !r->reason.empty())
                text += ": " + r->reason.substr(0, 120);
            for (char& c : text)
                if (c == '|' || c == '\n')
                    c = ' ';
            row += " " + text + " |";
        }
        if (differences_only && results.size() == 1 && !failed)
            continue;
        out += row + "\n";
        ++rows;
    }
    if (differences_only && rows == 0) {
        out += "| (every test has the same result on every kernel; none fails) |";
        for (size_t i = 0; i < runs.size(); ++i)
            out += " |";
        out += "\n";
    }
    return out;
}

std::string render_summary(const std::vector<TestRun>& runs) {
    std::string out = "| Kernel | kind | pass | fail | skip | not supported | wall time | run |\n"
                      "|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : runs) {
        out += "| " + r.kernel + " | " + r.kind + " | " + std::to_string(r.count("pass")) + " | " +
               std::to_string(r.count("fail")) + " | " +
               std::to_string(r.count("skip") + r.count("not-run")) + " | " +
               std::to_string(r.count("not-supported")) + " | " + format_seconds(r.seconds) +
               " | " + (r.error.empty() ? "ok" : r.error) + " |\n";
    }
    return out;
}

std::vector<Regression> find_regressions(const TestRun& base, const TestRun& candidate) {
    std::vector<Regression> regressions;
    for (const auto& t : base.tests) {
        if (t.result != "pass")
            continue;
        const TestRecord* c = candidate.find(t.name);
        if (!c)
            regressions.push_back({t.name, "missing", ""});
        else if (c->result != "pass")
            regressions.push_back({t.name, c->result, c->reason});
    }
    return regressions;
}

std::string kernel_config_hash(const Paths& paths, const std::string& kernel) {
    auto config = read_file_if_exists(paths.kernel_dir(kernel) / ".config");
    return config ? content_hash(*config) : "";
}

std::string kernel_image_hash(const Paths& paths, const std::string& kernel) {
    auto image = read_file_if_exists(paths.kernel_image(kernel));
    return image ? content_hash(*image) : "";
}

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

} // namespace vswap
