// Each file of functional tests adds its tests to the list here; the
// order of the calls in all_tests() is the order the suite runs them.
#pragma once

#include "guest/tests/framework.h"

#include <vector>

namespace vswap::tests {

void add_bad_input_tests(std::vector<TestCase>& tests);
void add_integrity_tests(std::vector<TestCase>& tests);
void add_fork_tests(std::vector<TestCase>& tests);
void add_madvise_tests(std::vector<TestCase>& tests);
void add_shmem_tests(std::vector<TestCase>& tests);
void add_thp_tests(std::vector<TestCase>& tests);
void add_memcg_tests(std::vector<TestCase>& tests);
void add_swapoff_tests(std::vector<TestCase>& tests);
void add_workingset_tests(std::vector<TestCase>& tests);
void add_zswap_tests(std::vector<TestCase>& tests);
void add_slotless_tests(std::vector<TestCase>& tests);
void add_pagemap_tests(std::vector<TestCase>& tests);
void add_hibernate_tests(std::vector<TestCase>& tests);
void add_exhaustion_tests(std::vector<TestCase>& tests);
void add_leak_tests(std::vector<TestCase>& tests);
void add_stress_tests(std::vector<TestCase>& tests);

} // namespace vswap::tests
