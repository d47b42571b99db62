// Runs QEMU to completion under a hard timeout, forwarding the guest
// command's output while it runs.
#pragma once

#include "common/process.h"
#include "host/qemu_command.h"

#include <filesystem>
#include <optional>
#include <string>

namespace vswap {

struct RunnerOptions {
    double timeout_s = 600;
    bool stream = true;             // copy the guest command's stdout/stderr to ours as it arrives
    std::filesystem::path qemu_log; // QEMU's own messages
};

struct RunnerOutcome {
    std::optional<ExitStatus> qemu; // nullopt when we killed it
    bool timed_out = false;
    double seconds = 0;
};

RunnerOutcome run_qemu(const GuestSpec& spec, const RunnerOptions& options);

} // namespace vswap
