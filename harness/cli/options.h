// Shared pieces of the verbs' command lines.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace vswap::cli {

namespace po = boost::program_options;

using Args = std::vector<std::string>;

// Parses a verb's arguments; unknown options are errors that name the verb.
po::variables_map parse(const std::string& verb, const Args& args,
                        const po::options_description& options,
                        const po::positional_options_description& positional = {});

void print_help(const std::string& usage, const std::string& summary,
                const po::options_description& options);

// Verbs.
int cmd_boot(const Args& args);
int cmd_compare(const Args& args);
int cmd_kernel(const Args& args);
int cmd_merge(const Args& args);
int cmd_patches(const Args& args);
int cmd_report(const Args& args);
int cmd_run(const Args& args);
int cmd_smoke(const Args& args);
int cmd_suite(const Args& args);
int cmd_test(const Args& args);

} // namespace vswap::cli
