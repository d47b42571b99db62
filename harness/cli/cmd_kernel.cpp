// scripts/vswap kernel source|build|list
#include "cli/options.h"
#include "common/error.h"
#include "common/text.h"
#include "host/kernel_build.h"
#include "host/kernel_source.h"
#include "host/paths.h"
#include "host/variants.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace vswap::cli {
namespace {

int kernel_source(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")("tree", po::value<std::string>(),
                                                "copy the source from this kernel tree")(
        "tarball", po::value<std::string>(),
        "unpack the source from this tarball")("force", "accept a version other than patches/BASE")(
        "replace", "set an existing build/src/linux aside and start over");
    auto vm = parse("kernel source", args, o);
    if (vm.count("help")) {
        print_help("kernel source [--tree DIR | --tarball FILE] [--force] [--replace]",
                   std::string("Unpacks the kernel source into build/src/linux (default: ") +
                       kDebianKernelTarball +
                       " from linux-source-6.12),\nchecks its version against patches/BASE "
                       "and makes a git repository with one base\ncommit (tag vswap-base).",
                   o);
        return 0;
    }
    if (vm.count("tree") && vm.count("tarball"))
        throw UserError("--tree and --tarball are exclusive", "give one source");
    SourceOptions options;
    if (vm.count("tree"))
        options.tree = vm["tree"].as<std::string>();
    if (vm.count("tarball"))
        options.tarball = vm["tarball"].as<std::string>();
    options.force = vm.count("force");
    options.replace = vm.count("replace");
    Progress progress;
    prepare_kernel_source(project_paths(), options, progress);
    return 0;
}

int kernel_build(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")("variant", po::value<std::vector<std::string>>(),
                                                "variant(s) to build")(
        "jobs,j", po::value<unsigned>()->default_value(0), "parallel jobs (0: one per CPU)")(
        "force", "rebuild even when nothing changed")("json", "print the results as JSON");
    po::positional_options_description p;
    p.add("variant", -1);
    auto vm = parse("kernel build", args, o, p);
    if (vm.count("help") || !vm.count("variant")) {
        print_help(
            "kernel build VARIANT... [-j N] [--force] [--json]",
            "Builds kernel variants out of tree (build/obj/VARIANT) with ccache and "
            "installs\nthe image and .config in build/kernels/VARIANT/. Variants:\n" +
                [] {
                    std::string list;
                    for (const auto& v : all_variants())
                        list += "  " + v.name + std::string(11 - v.name.size(), ' ') +
                                v.description + "\n";
                    return list;
                }(),
            o);
        return vm.count("help") ? 0 : 2;
    }
    auto variants = vm["variant"].as<std::vector<std::string>>();
    for (const auto& v : variants)
        find_variant(v); // reject a typo before building anything
    Progress progress;
    nlohmann::json results = nlohmann::json::array();
    for (const auto& v : variants) {
        BuildResult r = build_kernel(
            project_paths(), {v, vm["jobs"].as<unsigned>(), vm.count("force") > 0}, progress);
        results.push_back({{"variant", v},
                           {"image", r.image.string()},
                           {"rebuilt", r.rebuilt},
                           {"seconds", r.seconds}});
    }
    if (vm.count("json"))
        std::cout << results.dump(2) << "\n";
    return 0;
}

int kernel_list(const Args& args) {
    po::options_description o("options");
    o.add_options()("help,h", "show this help")("json", "print JSON");
    auto vm = parse("kernel list", args, o);
    if (vm.count("help")) {
        print_help("kernel list [--json]", "Lists the kernel variants and whether each is built.",
                   o);
        return 0;
    }
    Paths paths = project_paths();
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : all_variants()) {
        auto info = read_file_if_exists(paths.kernel_dir(v.name) / "build-info.json");
        list.push_back({{"variant", v.name},
                        {"description", v.description},
                        {"built", std::filesystem::exists(paths.kernel_image(v.name))},
                        {"image", paths.kernel_image(v.name).string()},
                        {"build_info", info ? nlohmann::json::parse(*info) : nlohmann::json()}});
    }
    if (vm.count("json")) {
        std::cout << list.dump(2) << "\n";
        return 0;
    }
    for (const auto& entry : list)
        std::cout << entry["variant"].get<std::string>()
                  << std::string(11 - entry["variant"].get<std::string>().size(), ' ')
                  << (entry["built"].get<bool>() ? "built    " : "not built") << "  "
                  << entry["description"].get<std::string>() << "\n";
    return 0;
}

} // namespace

int cmd_kernel(const Args& args) {
    const std::string usage = "usage: scripts/vswap kernel source|build|list [--help]\n";
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        (args.empty() ? std::cerr : std::cout)
            << usage << "  source   prepare build/src/linux from the kernel source\n"
            << "  build    build kernel variants (" << variant_names() << ")\n"
            << "  list     show which variants are built\n";
        return args.empty() ? 2 : 0;
    }
    Args rest(args.begin() + 1, args.end());
    if (args[0] == "source")
        return kernel_source(rest);
    if (args[0] == "build")
        return kernel_build(rest);
    if (args[0] == "list")
        return kernel_list(rest);
    throw UserError("unknown 'kernel' action '" + args[0] + "'", "use source, build or list");
}

} // namespace vswap::cli
