// The guest smoke test: boot, swapon a virtio disk, swap twice the guest's
// RAM out and back, verify every byte, swapoff.
#pragma once

#include "host/boot.h"
#include "host/paths.h"

#include <string>

namespace vswap {

BootRequest smoke_request(const Paths& paths, const std::string& kernel);

} // namespace vswap
