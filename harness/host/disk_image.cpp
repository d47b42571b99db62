#include "host/disk_image.h"

#include <fstream>
#include <utility>

namespace vswap {
namespace fs = std::filesystem;

DiskImage::DiskImage(fs::path path, uint64_t bytes) : path_(std::move(path)) {
    { std::ofstream create(path_, std::ios::binary | std::ios::trunc); }
    fs::resize_file(path_, bytes);
}

DiskImage::~DiskImage() {
    if (path_.empty())
        return;
    std::error_code ec;
    fs::remove(path_, ec);
}

DiskImage::DiskImage(DiskImage&& other) noexcept : path_(std::exchange(other.path_, {})) {}

} // namespace vswap
