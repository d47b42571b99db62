// scripts/vswap patches apply|export|check|status
#include "cli/options.h"
#include "common/error.h"
#include "host/patch_series.h"
#include "host/paths.h"
#include "host/series_bisect.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace vswap::cli {

int cmd_patches(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")("json", "print the results as JSON")(
        "verbose,v", "check: show checkpatch's full output for every patch")(
        "bisect", "check: also build every prefix of the series with CONFIG_VIRTUAL_SWAP=y and "
                  "=n (mm/ and kernel/power/; minutes per patch)")(
        "jobs,j", po::value<unsigned>()->default_value(0),
        "--bisect: parallel jobs (0: one per CPU)")("action", po::value<std::string>(),
                                                    "apply, export, check or status");
    po::positional_options_description p;
    p.add("action", 1);
    auto vm = parse("patches", args, o, p);
    if (vm.count("help") || !vm.count("action")) {
        print_help("patches apply|export|check|status [--bisect [-j N]] [--json] [-v]",
                   "  apply    git am patches/series on a fresh vswap branch in build/src/linux\n"
                   "  export   regenerate patches/ from the vswap branch (git format-patch)\n"
                   "  check    scripts/checkpatch.pl --strict on every patch; fails on errors;\n"
                   "           with --bisect, every prefix must also build in both configs\n"
                   "  status   whether the branch matches patches/",
                   o);
        return vm.count("help") ? 0 : 2;
    }
    const std::string action = vm["action"].as<std::string>();
    const bool json = vm.count("json");
    Paths paths = project_paths();
    Progress progress;
    if (action == "apply") {
        apply_series(paths, progress);
        return 0;
    }
    if (action == "status") {
        SeriesState state = series_state(paths);
        if (json)
            std::cout << nlohmann::json{{"state", describe(state)},
                                        {"patches", read_series(paths).size()}}
                             .dump(2)
                      << "\n";
        else
            std::cout << "series of " << read_series(paths).size()
                      << " patches: " << describe(state) << "\n";
        return 0;
    }
    if (action == "export") {
        ExportSummary s = export_series(paths, progress);
        if (json)
            std::cout << nlohmann::json{{"added", s.added},
                                        {"changed", s.changed},
                                        {"unchanged", s.unchanged},
                                        {"removed", s.removed},
                                        {"files", s.files}}
                             .dump(2)
                      << "\n";
        else
            std::cout << "exported " << s.files.size() << " patches: " << s.added << " new, "
                      << s.changed << " changed, " << s.unchanged << " unchanged, " << s.removed
                      << " removed\n";
        return 0;
    }
    if (action == "check") {
        auto checks = check_series(paths, progress);
        int errors = 0;
        nlohmann::json out = nlohmann::json::array();
        for (const auto& c : checks) {
            errors += c.errors;
            out.push_back({{"patch", c.file},
                           {"errors", c.errors},
                           {"warnings", c.warnings},
                           {"checks", c.checks}});
            if (!json) {
                std::cout << (c.errors ? "FAIL " : "ok   ") << c.file << ": " << c.errors
                          << " errors, " << c.warnings << " warnings, " << c.checks << " checks\n";
                if (c.errors || vm.count("verbose"))
                    std::cout << c.output << "\n";
            }
        }
        int broken = 0;
        nlohmann::json builds = nlohmann::json::array();
        if (vm.count("bisect")) {
            for (const auto& b : bisect_series(paths, vm["jobs"].as<unsigned>(), progress)) {
                broken += !b.ok;
                builds.push_back({{"patch", b.patch},
                                  {"config", b.config},
                                  {"ok", b.ok},
                                  {"seconds", b.seconds},
                                  {"error", b.error}});
                if (!json && !b.ok)
                    std::cout << "FAIL " << b.patch << " (" << b.config << "): " << b.error << "\n";
            }
        }
        if (json) {
            // Without --bisect, the array of checkpatch results as before.
            nlohmann::json result = out;
            if (vm.count("bisect"))
                result = {{"checkpatch", out}, {"bisect", builds}};
            std::cout << result.dump(2) << "\n";
        } else {
            std::cout << checks.size() << " patches checked, " << errors << " errors\n";
            if (vm.count("bisect"))
                std::cout << "bisect: " << builds.size() - broken << " of " << builds.size()
                          << " prefix builds succeeded\n";
        }
        return errors || broken ? 1 : 0;
    }
    throw UserError("unknown 'patches' action '" + action + "'",
                    "use apply, export, check or status");
}

} // namespace vswap::cli
