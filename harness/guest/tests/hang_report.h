// What the processes of a test that overran its timeout are doing, taken
// before they are killed: state, wait channel, kernel stack, and the page
// fault rate (a process that re-faults without progress is a livelock in
// the fault path, which no stack shows). Tasks in D state are also dumped
// to the console with sysrq-w, where the host keeps them.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace vswap::tests {

struct HangReport {
    std::string summary;                                // one line for the test's reason
    nlohmann::json processes = nlohmann::json::array(); // per process, for the details
};

// Looks at every process in the cgroup tree under `cgroup` for about a second.
HangReport report_hang(const std::filesystem::path& cgroup);

} // namespace vswap::tests
