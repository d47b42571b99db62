#include "host/git.h"

#include "common/text.h"

namespace vswap {
namespace {

RunOptions git_options() {
    RunOptions options;
    options.env = {{"GIT_AUTHOR_NAME", "vswap"},
                   {"GIT_AUTHOR_EMAIL", "vswap@localhost"},
                   {"GIT_COMMITTER_NAME", "vswap"},
                   {"GIT_COMMITTER_EMAIL", "vswap@localhost"},
                   {"GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z"},
                   {"GIT_CONFIG_NOSYSTEM", "1"},
                   {"LC_ALL", "C"}};
    return options;
}

std::vector<std::string> git_argv(const std::filesystem::path& repo,
                                  const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"git",       "-C", repo.string(),       "-c",
                                     "gc.auto=0", "-c", "core.quotepath=off"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

} // namespace

RunResult git(const std::filesystem::path& repo, const std::vector<std::string>& args,
              const std::string& fix) {
    return run_checked(git_argv(repo, args), git_options(), fix);
}

RunResult git_try(const std::filesystem::path& repo, const std::vector<std::string>& args) {
    return run(git_argv(repo, args), git_options());
}

bool git_ref_exists(const std::filesystem::path& repo, const std::string& ref) {
    return git_try(repo, {"rev-parse", "--verify", "--quiet", ref + "^{commit}"}).ok();
}

std::string git_rev(const std::filesystem::path& repo, const std::string& ref) {
    return trim(git(repo, {"rev-parse", "--verify", ref + "^{commit}"}).output);
}

} // namespace vswap
