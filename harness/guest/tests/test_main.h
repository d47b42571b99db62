// `vswap-guest test [--list] [--json FILE] [--duration SECONDS] [NAME...]`
#pragma once

#include "guest/tests/framework.h"

#include <vector>

namespace vswap::tests {

// Every functional test, in the order the suite runs them.
std::vector<TestCase> all_tests();

int test_main(int argc, char** argv);

} // namespace vswap::tests
