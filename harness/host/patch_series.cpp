#include "host/patch_series.h"

#include "common/error.h"
#include "common/text.h"
#include "host/git.h"
#include "host/kernel_source.h"

#include <ctime>
#include <regex>
#include <set>

namespace vswap {
namespace fs = std::filesystem;
namespace {

const char* kApplyBranch = "vswap-applying";

// Recorded after apply and export: "<series hash> <branch head>".
fs::path stamp_path(const Paths& paths) {
    return paths.series_tree() / ".git" / "vswap-series";
}

std::string series_hash(const Paths& paths) {
    std::string all = read_file_if_exists(paths.patches() / "series").value_or("");
    for (const auto& file : read_series(paths))
        all += read_file(paths.patches() / file);
    return content_hash(all);
}

void write_stamp(const Paths& paths) {
    write_file_atomic(stamp_path(paths), series_hash(paths) + " " +
                                             git_rev(paths.series_tree(), kSeriesBranch) + "\n");
}

std::string current_branch(const fs::path& repo) {
    return trim(git_try(repo, {"symbolic-ref", "--short", "-q", "HEAD"}).output);
}

bool has_uncommitted_changes(const fs::path& repo) {
    return !trim(git(repo, {"status", "--porcelain", "--untracked-files=no"}).output).empty();
}

// The first file `git am` complained about, for the error message.
std::string failing_file(const std::string& am_output) {
    static const std::regex patterns[] = {
        std::regex(R"(error: patch failed: ([^:\s]+):(\d+))"),
        std::regex(R"(error: ([^:\s]+): does not exist in index)"),
        std::regex(R"(error: ([^:\s]+): already exists in index)"),
        std::regex(R"(error: ([^:\s]+): patch does not apply)"),
    };
    for (const auto& re : patterns) {
        std::smatch m;
        if (std::regex_search(am_output, m, re))
            return m.size() > 2 && m[2].matched ? m[1].str() + " (hunk at line " + m[2].str() + ")"
                                                : m[1].str();
    }
    return "unknown file";
}

std::string timestamp() {
    std::time_t now = std::time(nullptr);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", std::localtime(&now));
    return buffer;
}

} // namespace

std::vector<std::string> read_series(const Paths& paths) {
    auto content = read_file_if_exists(paths.patches() / "series");
    if (!content)
        throw UserError("patches/series does not exist",
                        "create it (one patch file name per line), or run 'scripts/vswap patches "
                        "export'");
    std::vector<std::string> files;
    for (const auto& raw : split_lines(*content)) {
        std::string line = trim(raw);
        if (line.empty() || line[0] == '#')
            continue;
        if (!fs::exists(paths.patches() / line))
            throw UserError("patches/series lists " + line + " but patches/" + line +
                                " does not exist",
                            "restore the file or remove the line from patches/series");
        files.push_back(line);
    }
    return files;
}

std::string describe(SeriesState state) {
    switch (state) {
    case SeriesState::NotApplied:
        return "not applied";
    case SeriesState::Current:
        return "current";
    case SeriesState::Stale:
        return "stale (patches/ changed since it was applied)";
    case SeriesState::LocalWork:
        return "has local work that is not exported";
    }
    return "unknown";
}

SeriesState series_state(const Paths& paths) {
    const fs::path repo = paths.series_tree();
    if (!fs::exists(repo / ".git") || !git_ref_exists(repo, kSeriesBranch))
        return SeriesState::NotApplied;
    auto stamp = split(trim(read_file_if_exists(stamp_path(paths)).value_or("")), ' ');
    const bool branch_as_recorded = stamp.size() == 2 && stamp[1] == git_rev(repo, kSeriesBranch);
    const bool dirty = current_branch(repo) == kSeriesBranch && has_uncommitted_changes(repo);
    if (!branch_as_recorded || dirty)
        return SeriesState::LocalWork;
    return stamp[0] == series_hash(paths) ? SeriesState::Current : SeriesState::Stale;
}

void apply_series(const Paths& paths, Progress& progress) {
    ensure_kernel_source(paths, progress);
    const fs::path repo = paths.series_tree();
    const auto files = read_series(paths);
    if (fs::exists(repo / ".git" / "rebase-apply"))
        git_try(repo, {"am", "--abort"});
    if (has_uncommitted_changes(repo))
        throw UserError(repo.string() + " has uncommitted changes",
                        "commit them on the vswap branch and run 'scripts/vswap patches export', "
                        "or discard them with 'git -C " +
                            repo.string() + " checkout -- .'");
    const std::string previous = current_branch(repo);
    const bool had_branch = git_ref_exists(repo, kSeriesBranch);

    git(repo, {"checkout", "-q", "-B", kApplyBranch, kBaseTag});
    for (size_t i = 0; i < files.size(); ++i) {
        progress.status("applying " + std::to_string(i + 1) + "/" + std::to_string(files.size()) +
                        ": " + files[i]);
        RunResult am = git_try(repo, {"am", "-q", "--committer-date-is-author-date",
                                      (paths.patches() / files[i]).string()});
        if (!am.ok()) {
            git_try(repo, {"am", "--abort"});
            git_try(repo, {"checkout", "-q", "-f", previous.empty() ? kBaseTag : previous});
            git_try(repo, {"branch", "-q", "-D", kApplyBranch});
            progress.end_status();
            throw UserError("patch " + files[i] + " does not apply to " + repo.string() + ": " +
                                failing_file(am.output),
                            "rebase the patch on patches/BASE (the tree is unchanged)");
        }
    }
    progress.end_status();
    if (had_branch) {
        if (series_state(paths) == SeriesState::LocalWork) {
            std::string backup = "vswap-backup-" + timestamp();
            git(repo, {"branch", "-q", "-m", kSeriesBranch, backup});
            progress.warn("the old vswap branch had unexported work; kept as branch " + backup);
        } else {
            git(repo, {"branch", "-q", "-D", kSeriesBranch});
        }
    }
    git(repo, {"branch", "-q", "-m", kApplyBranch, kSeriesBranch});
    write_stamp(paths);
    progress.info("applied " + std::to_string(files.size()) + " patches on branch vswap in " +
                  repo.string());
}

void ensure_series(const Paths& paths, Progress& progress) {
    ensure_kernel_source(paths, progress);
    SeriesState state = series_state(paths);
    if (state == SeriesState::NotApplied || state == SeriesState::Stale) {
        if (state == SeriesState::Stale)
            progress.info("patches/ changed since the series was applied: re-applying");
        apply_series(paths, progress);
        return;
    }
    const fs::path repo = paths.series_tree();
    if (current_branch(repo) != kSeriesBranch)
        throw UserError(repo.string() + " has '" + current_branch(repo) +
                            "' checked out, not vswap",
                        "run 'git -C " + repo.string() + " checkout vswap'");
    if (state == SeriesState::LocalWork)
        progress.info("building the vswap branch with local work that is not exported "
                      "(scripts/vswap patches export)");
}

ExportSummary export_series(const Paths& paths, Progress& progress) {
    const fs::path repo = paths.series_tree();
    if (!fs::exists(repo / ".git") || !git_ref_exists(repo, kSeriesBranch))
        throw UserError("there is no vswap branch in " + repo.string() + " to export",
                        "run 'scripts/vswap patches apply' first");
    if (current_branch(repo) == kSeriesBranch && has_uncommitted_changes(repo))
        progress.warn("uncommitted changes in " + repo.string() + " are not exported");

    const fs::path out = paths.build() / "patches-export";
    fs::remove_all(out);
    git(repo, {"-c", "diff.noprefix=false", "-c", "diff.mnemonicprefix=false", "format-patch", "-q",
               "--zero-commit", "--no-signature", "--no-numbered", "--no-renames", "--abbrev=12",
               "-o", out.string(), std::string(kBaseTag) + ".." + kSeriesBranch});

    ExportSummary summary;
    std::set<std::string> exported;
    if (fs::exists(out)) {
        for (const auto& entry : fs::directory_iterator(out))
            exported.insert(entry.path().filename().string());
    }
    fs::create_directories(paths.patches());
    for (const auto& name : exported) {
        std::string content = read_file(out / name);
        auto old = read_file_if_exists(paths.patches() / name);
        if (old == content) {
            ++summary.unchanged;
        } else {
            ++(old ? summary.changed : summary.added);
            write_file_atomic(paths.patches() / name, content);
        }
        summary.files.push_back(name);
    }
    for (const auto& entry : fs::directory_iterator(paths.patches())) {
        std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.ends_with(".patch") && !exported.count(name)) {
            fs::remove(entry.path());
            ++summary.removed;
        }
    }
    std::string series = "# Applied in this order by 'scripts/vswap patches apply'.\n";
    for (const auto& name : summary.files)
        series += name + "\n";
    if (read_file_if_exists(paths.patches() / "series") != series)
        write_file_atomic(paths.patches() / "series", series);
    fs::remove_all(out);
    write_stamp(paths);
    return summary;
}

std::vector<PatchCheck> check_series(const Paths& paths, Progress& progress) {
    ensure_kernel_source(paths, progress);
    std::vector<PatchCheck> checks;
    static const std::regex total(R"(total: (\d+) errors, (\d+) warnings, (?:(\d+) checks, )?)");
    for (const auto& file : read_series(paths)) {
        RunOptions options;
        options.cwd = paths.series_tree();
        RunResult r = run({"perl", "scripts/checkpatch.pl", "--strict", "--no-color",
                           (paths.patches() / file).string()},
                          options);
        PatchCheck check{file, 0, 0, 0, r.output};
        std::smatch m;
        if (std::regex_search(r.output, m, total)) {
            check.errors = std::stoi(m[1]);
            check.warnings = std::stoi(m[2]);
            check.checks = m[3].matched ? std::stoi(m[3]) : 0;
        } else {
            check.errors = 1; // checkpatch did not run to its summary
        }
        checks.push_back(std::move(check));
    }
    return checks;
}

} // namespace vswap
