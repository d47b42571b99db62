#include "host/accel_probe.h"

#include "common/text.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace vswap {

KvmProbe probe_kvm() {
    auto cpuinfo = read_file_if_exists("/proc/cpuinfo").value_or("");
    bool virt = false;
    for (const auto& line : split_lines(cpuinfo)) {
        if (line.starts_with("flags") &&
            (line.find(" vmx") != std::string::npos || line.find(" svm") != std::string::npos)) {
            virt = true;
            break;
        }
    }
    if (!virt)
        return {false, "the CPU has no vmx/svm flag"};
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return {false, "/dev/kvm cannot be opened"};
    int api = ioctl(fd, KVM_GET_API_VERSION, 0);
    int vm = api == KVM_API_VERSION ? ioctl(fd, KVM_CREATE_VM, 0) : -1;
    if (vm >= 0)
        close(vm);
    close(fd);
    if (vm < 0)
        return {false, "KVM_CREATE_VM failed"};
    return {true, {}};
}

} // namespace vswap
