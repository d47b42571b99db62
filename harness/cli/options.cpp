#include "cli/options.h"

#include "common/error.h"

#include <iostream>

namespace vswap::cli {

po::variables_map parse(const std::string& verb, const Args& args,
                        const po::options_description& options,
                        const po::positional_options_description& positional) {
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UserError(verb + ": " + e.what(), "see 'scripts/vswap " + verb + " --help'");
    }
    return vm;
}

void print_help(const std::string& usage, const std::string& summary,
                const po::options_description& options) {
    std::cout << "usage: scripts/vswap " << usage << "\n\n" << summary << "\n\n" << options;
}

} // namespace vswap::cli
