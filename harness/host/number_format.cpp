#include "host/number_format.h"

#include <cmath>
#include <cstdio>

namespace vswap {

std::string format_number(double v) {
    if (!std::isfinite(v))
        return "-";
    char buffer[48];
    double a = std::fabs(v);
    if (a < 1e-9) // rounding residue of equal values (a stdev of 3e-14)
        return "0";
    if (a >= 1e9 || a < 1e-3)
        std::snprintf(buffer, sizeof buffer, "%.3g", v);
    else if (a >= 1000 || v == std::floor(v))
        std::snprintf(buffer, sizeof buffer, "%.0f", v);
    else
        std::snprintf(buffer, sizeof buffer, "%.*f", a >= 100 ? 1 : a >= 10 ? 2 : 3, v);
    return buffer;
}

} // namespace vswap
