// pageswap: stress-ng's pageswap stressor (pages out and back in with
// madvise) from the host root, with its metrics.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace vswap {

int pageswap_main(int argc, char** argv);

// The numeric fields of `stressor`'s entry under "metrics:" in stress-ng's
// --yaml output ("bogo-ops", "bogo-ops-per-second-real-time", ...).
std::map<std::string, double> parse_stress_ng_metrics(std::string_view yaml,
                                                      const std::string& stressor);

} // namespace vswap
