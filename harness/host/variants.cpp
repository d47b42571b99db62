#include "host/variants.h"

#include "common/error.h"

namespace vswap {

const std::vector<Variant>& all_variants() {
    static const std::vector<Variant> variants = {
        {"baseline",
         false,
         {"configs/guest.config", "configs/baseline.config"},
         "the pristine base tree"},
        {"vswap",
         true,
         {"configs/guest.config", "Kconfig.fragment"},
         "the series with CONFIG_VIRTUAL_SWAP=y"},
        {"vswap-off",
         true,
         {"configs/guest.config", "configs/vswap-off.config"},
         "the series with CONFIG_VIRTUAL_SWAP=n"},
        {"debug",
         true,
         {"configs/guest.config", "Kconfig.fragment", "configs/debug.config"},
         "vswap with KASAN, lockdep, DEBUG_VM and fault injection",
         // KASAN and lockdep under TCG run some code (the ACPI interpreter
         // at boot, stop_machine while a vCPU thread waits for the host)
         // for tens of seconds without a reschedule point: a soft lockup
         // after 20 s would report emulation speed. 120 s still catches a
         // real one.
         "watchdog_thresh=60",
         // The functional suite takes about 30 minutes (vswap: 3), within
         // four times the usual 15-minute budget.
         4.0},
    };
    return variants;
}

std::string variant_names() {
    std::string names;
    for (const auto& v : all_variants())
        names += (names.empty() ? "" : ", ") + v.name;
    return names;
}

const Variant& find_variant(const std::string& name) {
    for (const auto& v : all_variants()) {
        if (v.name == name)
            return v;
    }
    throw UserError("unknown kernel variant '" + name + "'", "choose one of: " + variant_names());
}

} // namespace vswap
