#include "cli/matrix_options.h"

#include "common/error.h"
#include "common/text.h"
#include "host/backend_catalog.h"
#include "host/workload_catalog.h"

#include <ctime>

namespace vswap::cli {

std::vector<std::string> comma_list(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& w : split(text, ',')) {
        std::string t = trim(w);
        if (!t.empty())
            out.push_back(t);
    }
    return out;
}

void add_matrix_options(po::options_description& o, const std::string& default_kernels) {
    o.add_options()("kernels,k", po::value<std::string>()->default_value(default_kernels),
                    "kernels, comma-separated; the first (or baseline) is the base")(
        "workloads,w", po::value<std::string>(),
        ("workloads, comma-separated: " + workload_names()).c_str())(
        "backends,b", po::value<std::string>(),
        ("backends, comma-separated: " + backend_names()).c_str())(
        "repeats,r", po::value<unsigned>(), "runs of each cell (default 5; quick: 3)")(
        "mem,m", po::value<std::string>()->default_value("512M"),
        "guest RAM")("timing", po::value<std::string>()->default_value("icount"),
                     "icount (one vCPU, deterministic guest clock) or mttcg (several vCPUs)")(
        "cpus", po::value<unsigned>()->default_value(2), "vCPUs under --timing mttcg");
}

MatrixSpec matrix_from_options(const po::variables_map& vm, const std::string& preset) {
    const auto kernels = comma_list(vm["kernels"].as<std::string>());
    MatrixSpec m;
    if (vm.count("workloads") || vm.count("backends")) {
        auto workloads = comma_list(vm.count("workloads") ? vm["workloads"].as<std::string>()
                                                          : std::string("usemem"));
        auto backends = comma_list(vm.count("backends") ? vm["backends"].as<std::string>()
                                                        : std::string("zswap"));
        m.name = "custom";
        m.kernels = kernels;
        m.combos = cross(workloads, backends);
    } else {
        m = preset_matrix(preset, kernels);
    }
    if (vm.count("repeats"))
        m.repeats = vm["repeats"].as<unsigned>();
    auto mem = parse_size(vm["mem"].as<std::string>());
    if (!mem)
        throw UserError("--mem '" + vm["mem"].as<std::string>() + "' is not a size",
                        "write it like 512M");
    m.mem_bytes = *mem;
    m.timing = vm["timing"].as<std::string>();
    m.cpus = vm["cpus"].as<unsigned>();
    if (m.timing == "icount" && !vm["cpus"].defaulted() && m.cpus != 1)
        throw UserError("--timing icount runs one vCPU, but --cpus " + std::to_string(m.cpus) +
                            " was given",
                        "drop --cpus, or use --timing mttcg");
    validate_matrix(m);
    return m;
}

std::filesystem::path default_results_dir(const Paths& paths,
                                          const std::vector<std::string>& kernels,
                                          const std::string& suffix) {
    std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d-%H%M", std::localtime(&now));
    std::string name = date;
    for (const auto& k : kernels)
        name += "-" + k;
    if (!suffix.empty())
        name += "-" + suffix;
    return paths.results() / name;
}

} // namespace vswap::cli
