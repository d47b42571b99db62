#include "guest/sysfs.h"

#include "common/text.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace vswap::sysfs {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path, int error) {
    throw SysfsError(what + " " + path.string() + ": " + std::strerror(error), path, error);
}

std::optional<uint64_t> parse_u64(std::string_view text) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

// Reads until EOF; returns the errno of the first failure, or 0.
int read_all(const fs::path& path, std::string& out) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    char buffer[8192];
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int error = errno;
            close(fd);
            return error;
        }
        if (n == 0)
            break;
        out.append(buffer, static_cast<size_t>(n));
    }
    close(fd);
    return 0;
}

uint64_t parse_single(const std::string& text, const fs::path& path) {
    auto value = parse_u64(trim(text));
    if (!value)
        throw SysfsError(path.string() + " does not hold an unsigned number: '" + trim(text) + "'",
                         path, 0);
    return *value;
}

} // namespace

std::string read_text(const fs::path& path) {
    std::string out;
    if (int error = read_all(path, out))
        fail("cannot read", path, error);
    return out;
}

std::optional<std::string> read_text_if_exists(const fs::path& path) {
    std::string out;
    int error = read_all(path, out);
    if (error == ENOENT)
        return std::nullopt;
    if (error)
        fail("cannot read", path, error);
    return out;
}

uint64_t read_u64(const fs::path& path) {
    return parse_single(read_text(path), path);
}

std::optional<uint64_t> read_u64_if_exists(const fs::path& path) {
    auto text = read_text_if_exists(path);
    if (!text)
        return std::nullopt;
    return parse_single(*text, path);
}

int try_write_text(const fs::path& path, std::string_view value) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    ssize_t n;
    do {
        n = write(fd, value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    int error = n < 0 ? errno : 0;
    if (close(fd) != 0 && !error)
        error = errno;
    if (!error && static_cast<size_t>(n) != value.size())
        error = EIO; // a short write to a pseudo-file means it took part of the value
    return error;
}

void write_text(const fs::path& path, std::string_view value) {
    if (int error = try_write_text(path, value)) {
        std::string shown = trim(value);
        throw SysfsError("cannot write '" + shown + "' to " + path.string() + ": " +
                             std::strerror(error),
                         path, error);
    }
}

Counters parse_key_values(std::string_view text, const std::string& origin) {
    Counters counters;
    for (const auto& raw : split_lines(text)) {
        std::string line = trim(raw);
        if (line.empty())
            continue;
        size_t space = line.find_first_of(" \t");
        std::optional<uint64_t> value;
        if (space != std::string::npos)
            value = parse_u64(trim(std::string_view(line).substr(space)));
        if (!value)
            throw SysfsError(origin + ": expected 'key value', got '" + line + "'", origin, 0);
        counters[line.substr(0, space)] = *value;
    }
    return counters;
}

Counters read_key_values(const fs::path& path) {
    return parse_key_values(read_text(path), path.string());
}

Counters read_vmstat() {
    return read_key_values("/proc/vmstat");
}

Counters parse_meminfo(std::string_view text) {
    Counters counters;
    for (const auto& raw : split_lines(text)) {
        size_t colon = raw.find(':');
        if (colon == std::string::npos)
            continue;
        std::string rest = trim(std::string_view(raw).substr(colon + 1));
        uint64_t scale = 1;
        if (rest.size() > 3 && rest.compare(rest.size() - 3, 3, " kB") == 0) {
            rest = trim(std::string_view(rest).substr(0, rest.size() - 3));
            scale = 1024;
        }
        auto value = parse_u64(rest);
        if (!value)
            throw SysfsError("/proc/meminfo: cannot parse '" + raw + "'", "/proc/meminfo", 0);
        counters[raw.substr(0, colon)] = *value * scale;
    }
    return counters;
}

Counters read_meminfo() {
    return parse_meminfo(read_text("/proc/meminfo"));
}

Counters parse_proc_stat_cpu(std::string_view text) {
    static const char* const kColumns[] = {"user",   "nice", "system",  "idle",
                                           "iowait", "irq",  "softirq", "steal"};
    for (const auto& line : split_lines(text)) {
        auto fields = split_words(line);
        if (fields.empty() || fields[0] != "cpu")
            continue;
        Counters counters;
        for (size_t i = 0; i < std::size(kColumns); ++i) {
            auto value = i + 1 < fields.size() ? parse_u64(fields[i + 1]) : std::nullopt;
            if (!value)
                throw SysfsError("/proc/stat: cannot parse '" + line + "'", "/proc/stat", 0);
            counters[kColumns[i]] = *value;
        }
        return counters;
    }
    throw SysfsError("/proc/stat: no aggregate 'cpu' line", "/proc/stat", 0);
}

uint64_t read_interrupt_ticks() {
    auto cpu = parse_proc_stat_cpu(read_text("/proc/stat"));
    return cpu.at("irq") + cpu.at("softirq");
}

Counters counter_delta(const Counters& before, const Counters& after) {
    Counters delta;
    for (const auto& [key, value] : after) {
        auto it = before.find(key);
        uint64_t base = it == before.end() ? 0 : it->second;
        delta[key] = value > base ? value - base : 0;
    }
    return delta;
}

std::optional<VswapCounters> read_vswap_counters(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return std::nullopt;
    VswapCounters counters;
    for (const char* name : kVswapCounterNames) {
        if (auto value = read_u64_if_exists(dir / name))
            counters.values[name] = *value;
        else
            counters.missing.push_back(name);
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (counters.values.count(name) || !entry.is_regular_file(ec))
            continue;
        std::string text;
        if (read_all(entry.path(), text) == 0)
            if (auto value = parse_u64(trim(text)))
                counters.values[name] = *value;
    }
    return counters;
}

} // namespace vswap::sysfs
