// Kconfig fragments and the final .config: parsing, and checking that
// every option a fragment asks for made it into the build.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vswap {

struct ConfigSetting {
    std::string name;                 // CONFIG_FOO
    std::optional<std::string> value; // "y", "m", "64", "\"lzo\"", or nullopt for "is not set"
    std::string origin;               // "configs/guest.config:12"
};

// Parses `CONFIG_X=v` and `# CONFIG_X is not set` lines; other comments and
// blank lines are skipped. A line that is neither throws UserError naming
// `source` and the line number.
std::vector<ConfigSetting> parse_config(std::string_view text, const std::string& source);

// Later settings of the same option win, as with merge_config.sh.
std::map<std::string, ConfigSetting> merge_settings(const std::vector<ConfigSetting>& settings);

struct ConfigMismatch {
    ConfigSetting wanted;
    std::optional<std::string> actual; // nullopt: absent or not set
    std::string describe() const; // "CONFIG_X=y (configs/guest.config:3) is not set in .config"
};

// Compares what the fragments asked for with the final .config. "not set"
// and "=n" are satisfied by an absent option.
std::vector<ConfigMismatch> check_config(const std::map<std::string, ConfigSetting>& wanted,
                                         std::string_view final_config);

} // namespace vswap
