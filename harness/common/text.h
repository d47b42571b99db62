// Small text and file helpers shared by host and guest.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vswap {

std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char separator);
std::vector<std::string> split_lines(std::string_view s);
// Words separated by blanks (spaces, tabs, newlines); no quoting.
std::vector<std::string> split_words(std::string_view s);
std::string last_lines(std::string_view s, size_t count);

// Reads a whole file; throws UserError naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);
// Writes through a temporary file and rename, so readers never see half a file.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Sizes as users write them: 4096, 64k, 256M, 2G (powers of 1024).
std::optional<uint64_t> parse_size(std::string_view text);
std::string format_size(uint64_t bytes);
std::string format_seconds(double seconds);

// A stable 64-bit content hash (FNV-1a) in hex, for stamps and identities.
std::string content_hash(std::string_view data);

} // namespace vswap
