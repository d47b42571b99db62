// The outcome of one guest boot, and its JSON form.
#pragma once

#include "host/console_scan.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vswap {

struct BootResult {
    std::string kernel;               // variant name
    std::vector<std::string> command; // what ran in the guest
    std::optional<int> exit_status;   // the command's, if the guest reported it
    // Whether an exit status was to come back (not from a boot without the
    // 9p shares, which runs no command).
    bool reports_exit_status = true;
    bool timed_out = false;
    double timeout_s = 0;
    double seconds = 0;  // wall time of the whole boot
    std::string run_dir; // logs of this boot
    std::vector<Splat> splats;
    std::string console_tail; // last console lines, for failures
    std::string stdout_text;
    std::string stderr_text;

    // The command succeeded and the kernel stayed silent.
    bool passed() const { return !failure().has_value() && exit_status == 0; }
    // Why the boot itself failed (timeout, splat, no status where one was
    // due); nullopt when the guest ran cleanly, whatever the command's own
    // exit status.
    std::optional<std::string> failure() const;
};

void to_json(nlohmann::json& j, const BootResult& r);
void from_json(const nlohmann::json& j, BootResult& r);
void to_json(nlohmann::json& j, const Splat& s);
void from_json(const nlohmann::json& j, Splat& s);

} // namespace vswap
