// scripts/vswap merge -o OUT SHARD...: join the shards of one matrix.
#include "cli/options.h"
#include "common/error.h"
#include "host/results_dir.h"

#include <iostream>

namespace vswap::cli {

int cmd_merge(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")("output,o", po::value<std::string>(),
                                                "the merged results directory")(
        "shards", po::value<std::vector<std::string>>(), "shard directories");
    po::positional_options_description p;
    p.add("shards", -1);
    auto vm = parse("merge", args, o, p);
    if (vm.count("help") || !vm.count("output") || !vm.count("shards")) {
        print_help("merge -o OUT SHARD_DIR...",
                   "Joins the results of 'scripts/vswap run --shard I/N' (one directory per\n"
                   "shard, same matrix) into OUT. Fails when the shards come from different\n"
                   "matrices or disagree about a run. Then: scripts/vswap report OUT.",
                   o);
        return vm.count("help") ? 0 : 2;
    }
    std::vector<std::filesystem::path> shards;
    for (const auto& s : vm["shards"].as<std::vector<std::string>>())
        shards.emplace_back(s);
    const std::filesystem::path out = vm["output"].as<std::string>();
    MergeOutcome m = merge_results(shards, out);
    ResultSet merged = load_results(out);
    const size_t missing = merged.missing_cells().size();
    std::cout << "merged " << m.runs << " runs from " << shards.size() << " shard(s) into "
              << out.string();
    if (m.duplicates)
        std::cout << " (" << m.duplicates << " identical duplicates)";
    std::cout << "\n";
    if (missing) {
        std::cerr << "vswap: warning: " << missing << " of " << merged.expected_cells().size()
                  << " runs of the matrix are in no shard (first: "
                  << merged.missing_cells().front().id() << "); the report will be incomplete\n";
        return 1;
    }
    return 0;
}

} // namespace vswap::cli
