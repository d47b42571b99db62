// Errors the user can act on: every one names its cause and the fix.
#pragma once

#include <stdexcept>
#include <string>

namespace vswap {

class UserError : public std::runtime_error {
public:
    UserError(const std::string& cause, const std::string& fix = {})
        : std::runtime_error(fix.empty() ? cause : cause + "; " + fix), cause_(cause), fix_(fix) {}

    const std::string& cause() const { return cause_; }
    const std::string& fix() const { return fix_; }

private:
    std::string cause_;
    std::string fix_;
};

} // namespace vswap
