// Reading and writing /proc, /sys, cgroup and debugfs files from the guest.
//
// Every failure throws SysfsError naming the file, the value written (if
// any) and the errno, so a test or workload can report it as is. The
// parsers are pure functions so that the host's unit tests can check them.
//
// Stable API (shared by the functional tests and the benchmark workloads):
//   read_text / read_text_if_exists / read_u64 / read_u64_if_exists
//   write_text / try_write_text
//   parse_key_values / read_key_values / read_vmstat / read_meminfo
//   counter_delta
//   read_vswap_counters (nullopt when the kernel has no vswap directory)
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vswap::sysfs {

class SysfsError : public std::runtime_error {
public:
    SysfsError(const std::string& message, std::filesystem::path path, int error)
        : std::runtime_error(message), path_(std::move(path)), errno_(error) {}
    const std::filesystem::path& path() const { return path_; }
    // The errno of the failed call, or 0 for a parse error.
    int error() const { return errno_; }

private:
    std::filesystem::path path_;
    int errno_;
};

// The whole file. Pseudo-files report size 0, so this reads until EOF.
std::string read_text(const std::filesystem::path& path);
// nullopt when the file does not exist (ENOENT); other errors still throw.
std::optional<std::string> read_text_if_exists(const std::filesystem::path& path);

// A file holding one unsigned decimal number (trailing newline allowed).
uint64_t read_u64(const std::filesystem::path& path);
std::optional<uint64_t> read_u64_if_exists(const std::filesystem::path& path);

// Writes `value` with a single write(2), as sysfs and cgroup files require.
void write_text(const std::filesystem::path& path, std::string_view value);
// The same, but returns 0 or the errno instead of throwing: for tests that
// expect a write to be refused. Open failures are returned too.
int try_write_text(const std::filesystem::path& path, std::string_view value);

// "key value" lines (/proc/vmstat, memory.stat, memory.events, cpu.stat).
// Blank lines are skipped; any other line that is not a key and an
// unsigned number throws SysfsError naming `origin` and the line.
using Counters = std::map<std::string, uint64_t>;
Counters parse_key_values(std::string_view text, const std::string& origin = "input");
Counters read_key_values(const std::filesystem::path& path);
Counters read_vmstat(); // /proc/vmstat

// /proc/meminfo in bytes: "SwapFree:  1024 kB" -> {"SwapFree", 1048576}.
Counters parse_meminfo(std::string_view text);
Counters read_meminfo();

// The aggregate "cpu" line of /proc/stat in clock ticks (USER_HZ), by
// column name: user, nice, system, idle, iowait, irq, softirq, steal.
// Throws SysfsError when the line is missing or malformed.
Counters parse_proc_stat_cpu(std::string_view text);
// Guest-wide time spent in hardirq and softirq context, in clock ticks
// (/proc/stat's irq + softirq; exact with CONFIG_IRQ_TIME_ACCOUNTING).
uint64_t read_interrupt_ticks();

// after - before for every key of `after`; a key missing from `before`
// counts from 0. A counter that went down yields 0 (gauges are compared by
// reading them, not through deltas).
Counters counter_delta(const Counters& before, const Counters& after);

// The vswap debugfs counters (see the README): one number per file. Every
// vswap kernel has these; later series parts add more (backing_zero and
// backing_folio with slotless entries, alloc_failures, ...), which are read
// when present.
inline constexpr const char* kVswapDebugDir = "/sys/kernel/debug/vswap";
inline constexpr const char* kVswapCounterNames[] = {"entries", "backing_phys", "backing_zswap",
                                                     "clusters", "desc_bytes"};

// Counters that only grow (events, not live objects): no leak check.
inline bool is_cumulative_vswap_counter(std::string_view name) {
    return name == "alloc_failures" || name == "discontig_folios" || name == "filled_out" ||
           name == "filled_in";
}

struct VswapCounters {
    Counters values;                  // the counters this kernel provides
    std::vector<std::string> missing; // of kVswapCounterNames, those it lacks
};
// nullopt when `dir` does not exist (a kernel without vswap). Unknown extra
// files in the directory are read too when they hold a number.
std::optional<VswapCounters> read_vswap_counters(const std::filesystem::path& dir = kVswapDebugDir);

} // namespace vswap::sysfs
