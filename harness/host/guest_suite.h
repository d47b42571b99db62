// The guest functional suite (`vswap-guest test`) on one kernel: boot with
// a swap disk and an ext4 scratch disk, run the tests, collect their JSON.
#pragma once

#include "host/boot.h"
#include "host/paths.h"
#include "host/progress.h"
#include "host/test_results.h"

#include <string>
#include <vector>

namespace vswap {

// Guest shape the tests are written for: 384 MiB of RAM, 2 vCPUs, a
// 256 MiB swap disk (/dev/vda) and a 384 MiB ext4 disk (/dev/vdb).
BootRequest guest_suite_request(const std::string& kernel, const std::vector<std::string>& tests);

// Runs the suite (all default tests, or `tests`: names or patterns), saves
// it as build/test-results/<kernel>/guest-suite.json and returns it.
TestRun run_guest_suite(const Paths& paths, const std::string& kernel,
                        const std::vector<std::string>& tests, bool stream, Progress& progress);

// Boots `request` and turns the finished boot into a TestRun: the parts
// shared by every kind of run (the kernel's identity is taken before the
// boot, since the image may be replaced while it runs).
TestRun boot_test_run(const Paths& paths, const std::string& kind, const BootRequest& request,
                      Progress& progress, BootResult& boot);

} // namespace vswap
