// Synthetic run records for the host-side unit tests.
#pragma once

#include "host/results_dir.h"
#include "host/run_record.h"

#include <filesystem>
#include <map>
#include <string>
#include <unistd.h>

namespace vswap::testing {

inline RunRecord make_run(const std::string& kernel, const std::string& workload,
                          const std::string& backend, unsigned repeat,
                          std::map<std::string, double> metrics, RunStatus status = RunStatus::Ok) {
    RunRecord r;
    r.cell = {kernel, workload, backend, repeat};
    r.status = status;
    r.reason = status == RunStatus::Ok ? "" : "synthetic " + status_name(status);
    r.harness_version = "0.1.0+test";
    r.kernel = {kernel, "cafe" + kernel, "beef" + kernel, kernel == "vswap"};
    r.config = {{"note", "synthetic"}};
    r.started_at = "2026-01-01T00:00:00Z";
    r.host_seconds = 10;
    r.console_verdict = "clean";
    r.metrics = std::move(metrics);
    r.guest = nlohmann::json::object();
    r.run_dir = "/nonexistent";
    return r;
}

// A fresh directory under the system's temp dir, removed at the end.
class TempDir {
public:
    TempDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("vswap-test-" + std::to_string(getpid()) + "-" + std::to_string(counter()++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    static int& counter() {
        static int n = 0;
        return n;
    }
    std::filesystem::path path_;
};

} // namespace vswap::testing
