#include "host/smoke.h"

namespace vswap {

BootRequest smoke_request(const Paths& paths, const std::string& kernel) {
    BootRequest request;
    request.kernel = kernel;
    request.mem_bytes = 256ull << 20;
    request.cpus = 2;
    request.swap_disk = 1ull << 30;
    request.timeout_s = 900;
    request.command = {"sh", "/host" + (paths.root / "harness/tests/guest/smoke.sh").string()};
    return request;
}

} // namespace vswap
