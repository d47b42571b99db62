#include "guest/tests/suites.h"
#include "guest/tests/test_main.h"

namespace vswap::tests {

std::vector<TestCase> all_tests() {
    std::vector<TestCase> tests;
    add_bad_input_tests(tests);
    add_integrity_tests(tests);
    add_fork_tests(tests);
    add_madvise_tests(tests);
    add_shmem_tests(tests);
    add_thp_tests(tests);
    add_memcg_tests(tests);
    add_swapoff_tests(tests);
    add_workingset_tests(tests);
    add_zswap_tests(tests);
    add_slotless_tests(tests);
    add_pagemap_tests(tests);
    add_hibernate_tests(tests);
    add_exhaustion_tests(tests);
    add_leak_tests(tests);
    add_stress_tests(tests);
    return tests;
}

} // namespace vswap::tests
