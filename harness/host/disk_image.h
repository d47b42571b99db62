// A sparse disk image file that a boot attaches, removed when it goes.
#pragma once

#include <cstdint>
#include <filesystem>

namespace vswap {

class DiskImage {
public:
    // Creates (or truncates) @path as a sparse file of @bytes.
    DiskImage(std::filesystem::path path, uint64_t bytes);
    ~DiskImage();
    DiskImage(DiskImage&& other) noexcept; // for std::vector
    DiskImage& operator=(DiskImage&&) = delete;
    DiskImage(const DiskImage&) = delete;
    DiskImage& operator=(const DiskImage&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_; // empty once moved from
};

} // namespace vswap
