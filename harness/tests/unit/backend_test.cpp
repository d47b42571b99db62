#include "guest/backend.h"

#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <unistd.h>

using namespace vswap;
namespace fs = std::filesystem;

TEST(Backend, NamesRoundTrip) {
    for (BackendKind kind : kAllBackends)
        EXPECT_EQ(parse_backend(backend_name(kind)), kind);
    EXPECT_EQ(backend_name(BackendKind::ZswapOnly), "zswap-only");
    EXPECT_FALSE(parse_backend("nfs").has_value());
}

TEST(Backend, ParsesProcSwaps) {
    auto swaps =
        parse_proc_swaps("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                         "/dev/vda                                partition\t262140\t\t1024\t\t-2\n"
                         "/mnt/scratch/swapfile                   file\t\t131068\t\t0\t\t10\n");
    ASSERT_EQ(swaps.size(), 2u);
    EXPECT_EQ(swaps[0].path, "/dev/vda");
    EXPECT_EQ(swaps[0].type, "partition");
    EXPECT_EQ(swaps[0].size_bytes, 262140ull * 1024);
    EXPECT_EQ(swaps[0].used_bytes, 1024ull * 1024);
    EXPECT_EQ(swaps[0].priority, -2);
    EXPECT_EQ(swaps[1].priority, 10);
    EXPECT_TRUE(parse_proc_swaps("Filename Type Size Used Priority\n").empty());
}

TEST(Backend, SwapHeaderMatchesTheKernelLayout) {
    char name[] = "/tmp/vswap-header-XXXXXX";
    int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    close(fd);
    create_zero_file(name, 16 * kPageSize);
    EXPECT_EQ(device_bytes(name), 16 * kPageSize);
    write_swap_header(name, 16);
    std::ifstream in(name, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), {});
    fs::remove(name);
    ASSERT_EQ(data.size(), 16 * kPageSize);
    EXPECT_EQ(data.substr(kPageSize - 10, 10), "SWAPSPACE2");
    uint32_t version, last_page, bad;
    std::memcpy(&version, data.data() + 1024, 4);
    std::memcpy(&last_page, data.data() + 1028, 4);
    std::memcpy(&bad, data.data() + 1032, 4);
    EXPECT_EQ(version, 1u);
    EXPECT_EQ(last_page, 15u);
    EXPECT_EQ(bad, 0u);
    EXPECT_THROW(write_swap_header(name, 1), BackendError);
}

TEST(Backend, MissingDisksAreUnavailableNotErrors) {
    BackendOptions o;
    o.swap_device = "/nonexistent/vda";
    o.scratch_device = "/nonexistent/vdb";
    o.scratch_mount = "/nonexistent/mnt";
    auto disk = check_backend(BackendKind::Disk, o);
    EXPECT_EQ(disk.status, BackendCheck::Status::Unavailable);
    EXPECT_NE(disk.reason.find("/nonexistent/vda"), std::string::npos);
    EXPECT_EQ(check_backend(BackendKind::Swapfile, o).status, BackendCheck::Status::Unavailable);
    EXPECT_THROW(Backend(BackendKind::Disk, o), BackendError);
}
