#include "common/error.h"
#include "host/qemu_command.h"

#include <algorithm>
#include <gtest/gtest.h>

using namespace vswap;

namespace {

GuestSpec spec() {
    GuestSpec s;
    s.kernel = "/k/bzImage";
    s.initrd = "/g/initramfs.cpio";
    s.cpus = 2;
    s.mem_bytes = 256ull << 20;
    s.job_share = "/r/job";
    s.console_log = "/r/console.log";
    s.stdout_log = "/r/stdout.log";
    s.stderr_log = "/r/stderr.log";
    return s;
}

// The value following `flag` (the n-th occurrence).
std::string after(const std::vector<std::string>& argv, const std::string& flag, int n = 0) {
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
        if (argv[i] == flag && n-- == 0)
            return argv[i + 1];
    }
    return "<missing>";
}

} // namespace

TEST(QemuCommand, TcgByDefaultWithMultiThreading) {
    auto argv = qemu_command(spec());
    EXPECT_EQ(argv[0], "qemu-system-x86_64");
    EXPECT_EQ(after(argv, "-accel"), "tcg,thread=multi");
    EXPECT_EQ(after(argv, "-cpu"), "max");
    EXPECT_EQ(after(argv, "-smp"), "2");
    EXPECT_EQ(after(argv, "-m"), "256M");
    EXPECT_EQ(after(argv, "-kernel"), "/k/bzImage");
    EXPECT_EQ(after(argv, "-initrd"), "/g/initramfs.cpio");
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "-icount"), 0);
    EXPECT_NE(std::find(argv.begin(), argv.end(), "-no-reboot"), argv.end());
}

TEST(QemuCommand, SerialPortsInOrder) {
    auto argv = qemu_command(spec());
    EXPECT_EQ(after(argv, "-serial", 0), "file:/r/console.log");
    EXPECT_EQ(after(argv, "-serial", 1), "file:/r/stdout.log");
    EXPECT_EQ(after(argv, "-serial", 2), "file:/r/stderr.log");
    EXPECT_NE(after(argv, "-append").find("console=ttyS0"), std::string::npos);
    EXPECT_NE(after(argv, "-append").find("panic=-1"), std::string::npos);
}

TEST(QemuCommand, IcountIsDeterministicSingleCpu) {
    GuestSpec s = spec();
    s.cpus = 1;
    s.icount = true;
    auto argv = qemu_command(s);
    EXPECT_EQ(after(argv, "-accel"), "tcg");
    EXPECT_EQ(after(argv, "-icount"), "shift=3,sleep=off");
    s.cpus = 2;
    EXPECT_THROW(qemu_command(s), UserError);
}

TEST(QemuCommand, KvmUsesHostCpu) {
    GuestSpec s = spec();
    s.accel = Accel::Kvm;
    auto argv = qemu_command(s);
    EXPECT_EQ(after(argv, "-accel"), "kvm");
    EXPECT_EQ(after(argv, "-cpu"), "host");
    s.icount = true;
    s.cpus = 1;
    EXPECT_THROW(qemu_command(s), UserError);
}

TEST(QemuCommand, DisksAndShares) {
    GuestSpec s = spec();
    s.disks = {"/r/swap.img", "/r/scratch.img"};
    auto argv = qemu_command(s);
    EXPECT_EQ(after(argv, "-drive", 0),
              "file=/r/swap.img,format=raw,if=virtio,cache=unsafe,discard=unmap");
    EXPECT_EQ(after(argv, "-drive", 1).rfind("file=/r/scratch.img,", 0), 0u);
    std::string host = after(argv, "-virtfs", 0);
    EXPECT_NE(host.find("path=/,"), std::string::npos);
    EXPECT_NE(host.find("mount_tag=hostroot"), std::string::npos);
    EXPECT_NE(host.find("readonly=on"), std::string::npos);
    std::string job = after(argv, "-virtfs", 1);
    EXPECT_NE(job.find("path=/r/job,"), std::string::npos);
    EXPECT_EQ(job.find("readonly"), std::string::npos);
}

TEST(QemuCommand, NoSharesWithoutTheirPaths) {
    // A hibernation cycle boots without 9p, which does not survive a restore.
    GuestSpec s = spec();
    s.host_share.clear();
    s.job_share.clear();
    auto argv = qemu_command(s);
    EXPECT_EQ(std::find(argv.begin(), argv.end(), "-virtfs"), argv.end());
}

TEST(QemuCommand, ExtraKernelArguments) {
    GuestSpec s = spec();
    s.append = "zswap.enabled=1";
    EXPECT_NE(after(qemu_command(s), "-append").find(" zswap.enabled=1"), std::string::npos);
}

TEST(QemuCommand, ExtraArgumentsComeLast) {
    auto s = spec();
    s.extra_args = {"-qmp", "unix:/tmp/q.sock,server=on,wait=off"};
    auto argv = qemu_command(s);
    ASSERT_GE(argv.size(), 2u);
    EXPECT_EQ(argv[argv.size() - 2], "-qmp");
    EXPECT_EQ(argv.back(), "unix:/tmp/q.sock,server=on,wait=off");
}
