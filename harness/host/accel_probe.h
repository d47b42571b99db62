// Whether KVM can really run a guest here. /dev/kvm may exist on a CPU
// without vmx/svm (as on the project's CI machines), where a KVM guest hangs.
#pragma once

#include <string>

namespace vswap {

struct KvmProbe {
    bool usable = false;
    std::string reason; // why not, for the log
};

KvmProbe probe_kvm();

} // namespace vswap
