// Numbers as reports show them.
#pragma once

#include <string>

namespace vswap {

// Three significant digits or so, no exponent for ordinary magnitudes,
// integers without decimals; "-" for NaN and infinities.
std::string format_number(double v);

} // namespace vswap
