#include "guest/kernel_stack.h"
#include "guest/swapoff_deadline.h"

#include <cerrno>
#include <gtest/gtest.h>

using namespace vswap;

TEST(KernelStack, ShortensProcStack) {
    const std::string stack = "[<0>] vswap_unuse+0x1a2/0x4c0\n"
                              "[<0>] __do_sys_swapoff+0x1e1/0x9b0\n"
                              "[<0>] do_syscall_64+0x4b/0x110\n"
                              "[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e\n";
    EXPECT_EQ(short_stack(stack),
              "vswap_unuse < __do_sys_swapoff < do_syscall_64 < entry_SYSCALL_64_after_hwframe");
    EXPECT_EQ(short_stack(stack, 2), "vswap_unuse < __do_sys_swapoff");
    EXPECT_EQ(short_stack(""), "");
}

TEST(SwapOffDeadline, PassesErrorsThroughInTime) {
    // Fails at once (no such area): the error comes back, no overrun.
    auto result = swap_off_with_deadline("/nonexistent/swap", 60);
    EXPECT_TRUE(result.error == ENOENT || result.error == EPERM) << result.error;
    EXPECT_TRUE(result.overran.empty()) << result.overran;
}
