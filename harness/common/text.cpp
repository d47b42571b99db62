#include "common/text.h"

#include "common/error.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace vswap {

std::string trim(std::string_view s) {
    const char* space = " \t\r\n";
    size_t first = s.find_first_not_of(space);
    if (first == std::string_view::npos)
        return {};
    size_t last = s.find_last_not_of(space);
    return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> split(std::string_view s, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        size_t pos = s.find(separator, start);
        parts.emplace_back(s.substr(start, pos - start));
        if (pos == std::string_view::npos)
            return parts;
        start = pos + 1;
    }
}

std::vector<std::string> split_lines(std::string_view s) {
    std::vector<std::string> lines = split(s, '\n');
    if (!lines.empty() && lines.back().empty())
        lines.pop_back();
    for (auto& line : lines) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
    }
    return lines;
}

std::vector<std::string> split_words(std::string_view s) {
    std::vector<std::string> words;
    size_t pos = 0;
    while ((pos = s.find_first_not_of(" \t\n", pos)) != std::string_view::npos) {
        size_t end = s.find_first_of(" \t\n", pos);
        words.emplace_back(s.substr(pos, end - pos));
        pos = end;
    }
    return words;
}

std::string last_lines(std::string_view s, size_t count) {
    std::vector<std::string> lines = split_lines(s);
    size_t first = lines.size() > count ? lines.size() - count : 0;
    std::string tail;
    for (size_t i = first; i < lines.size(); ++i)
        tail += lines[i] + (i + 1 < lines.size() ? "\n" : "");
    return tail;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UserError("cannot read " + path.string() + ": " + std::strerror(errno));
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return std::nullopt;
    return read_file(path);
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path());
    std::filesystem::path tmp = path;
    tmp += ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out.flush())
            throw UserError("cannot write " + tmp.string() + ": " + std::strerror(errno),
                            "check free space and permissions under " +
                                path.parent_path().string());
    }
    std::filesystem::rename(tmp, path);
}

std::optional<uint64_t> parse_size(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    size_t digits = 0;
    uint64_t value = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        uint64_t next = value * 10 + static_cast<uint64_t>(text[digits] - '0');
        if (next / 10 != value)
            return std::nullopt;
        value = next;
        ++digits;
    }
    if (digits == 0)
        return std::nullopt;
    std::string_view suffix = text.substr(digits);
    if (suffix == "B" || suffix == "b")
        suffix = {};
    int shift = 0;
    if (suffix.empty())
        shift = 0;
    else if (suffix.size() <= 3 &&
             (suffix.size() == 1 || suffix.substr(1) == "iB" || suffix.substr(1) == "B")) {
        switch (suffix[0]) {
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        case 't':
        case 'T':
            shift = 40;
            break;
        default:
            return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    if (shift && value > (UINT64_MAX >> shift))
        return std::nullopt;
    return value << shift;
}

std::string format_size(uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, unit ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return buffer;
}

std::string format_seconds(double seconds) {
    char buffer[32];
    if (seconds < 60)
        std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
    else
        std::snprintf(buffer, sizeof buffer, "%dm%02ds", static_cast<int>(seconds) / 60,
                      static_cast<int>(std::lround(seconds)) % 60);
    return buffer;
}

std::string content_hash(std::string_view data) {
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (unsigned char c : data) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
    return buffer;
}

} // namespace vswap
