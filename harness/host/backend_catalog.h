// The swap backends a benchmark run can use, and what each needs from the
// host (disks) and from the kernel.
#pragma once

#include <string>
#include <vector>

namespace vswap {

struct BackendSpec {
    std::string name;
    std::string description;
    bool swap_disk = false;    // attach an empty disk for swap (/dev/vda)
    bool scratch_disk = false; // attach an ext4 disk (the swapfile lives there)
    bool vswap_only = false;   // needs CONFIG_VIRTUAL_SWAP=y
    bool swap_device = true;   // has a device that swapoff can take away
};

const std::vector<BackendSpec>& all_backends();
// Throws UserError naming the valid backends.
const BackendSpec& find_backend(const std::string& name);
std::string backend_names();

} // namespace vswap
