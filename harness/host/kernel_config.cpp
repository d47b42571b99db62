#include "host/kernel_config.h"

#include "common/error.h"
#include "common/text.h"

#include <cctype>

namespace vswap {
namespace {

bool valid_name(std::string_view name) {
    if (!name.starts_with("CONFIG_") || name.size() == 7)
        return false;
    for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    }
    return true;
}

bool is_unset(const std::optional<std::string>& value) {
    return !value || *value == "n";
}

} // namespace

std::vector<ConfigSetting> parse_config(std::string_view text, const std::string& source) {
    std::vector<ConfigSetting> settings;
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string line = trim(lines[i]);
        std::string origin = source + ":" + std::to_string(i + 1);
        if (line.empty())
            continue;
        if (line[0] == '#') {
            const std::string_view suffix = " is not set";
            std::string_view rest = std::string_view(line).substr(1);
            while (!rest.empty() && rest.front() == ' ')
                rest.remove_prefix(1);
            if (rest.ends_with(suffix)) {
                std::string name(rest.substr(0, rest.size() - suffix.size()));
                if (valid_name(name))
                    settings.push_back({name, std::nullopt, origin});
            }
            continue;
        }
        size_t eq = line.find('=');
        std::string name = line.substr(0, eq);
        if (eq == std::string::npos || !valid_name(name) || eq + 1 == line.size())
            throw UserError("malformed config line " + origin + ": '" + line + "'",
                            "write CONFIG_NAME=value or '# CONFIG_NAME is not set'");
        settings.push_back({name, line.substr(eq + 1), origin});
    }
    return settings;
}

std::map<std::string, ConfigSetting> merge_settings(const std::vector<ConfigSetting>& settings) {
    std::map<std::string, ConfigSetting> merged;
    for (const auto& s : settings)
        merged.insert_or_assign(s.name, s);
    return merged;
}

std::string ConfigMismatch::describe() const {
    std::string want =
        wanted.value ? wanted.name + "=" + *wanted.value : "# " + wanted.name + " is not set";
    std::string got = actual ? "is " + *actual : "is not set";
    return want + " (" + wanted.origin + ") " + got + " in the final .config";
}

std::vector<ConfigMismatch> check_config(const std::map<std::string, ConfigSetting>& wanted,
                                         std::string_view final_config) {
    auto actual = merge_settings(parse_config(final_config, ".config"));
    std::vector<ConfigMismatch> mismatches;
    for (const auto& [name, setting] : wanted) {
        auto it = actual.find(name);
        std::optional<std::string> got = it == actual.end() ? std::nullopt : it->second.value;
        bool ok = is_unset(setting.value) ? is_unset(got) : got == setting.value;
        if (!ok)
            mismatches.push_back({setting, is_unset(got) ? std::nullopt : got});
    }
    return mismatches;
}

} // namespace vswap
