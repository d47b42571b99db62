// vswap-guest: the agent that runs workloads and checks inside the guest.
#include "guest/hibernate_cycle.h"
#include "guest/tests/test_main.h"
#include "guest/usemem.h"
#include "guest/workloads/bench.h"
#include "guest/workloads/kbuild.h"
#include "guest/workloads/pagecost.h"
#include "guest/workloads/pageswap.h"
#include "guest/workloads/samefill.h"
#include "guest/workloads/swapoff.h"

#include <cstdio>
#include <cstring>

namespace {

void usage(FILE* out) {
    std::fprintf(out, "usage: vswap-guest COMMAND [ARGS...]\n"
                      "commands:\n"
                      "  usemem    map memory, write a per-page pattern, verify it (see --help)\n"
                      "  samefill  page out zero and same-filled pages, read them back\n"
                      "  pagecost  kernel CPU per page of page-out, swap-in and free\n"
                      "  swapoff   fill swap while a large file is mapped, time swapoff\n"
                      "  pageswap  stress-ng --pageswap from the host root, with metrics\n"
                      "  kbuild    compile a fixed set of kernel objects (host gcc, chroot)\n"
                      "  bench     set up a backend, run one workload in a cgroup, write JSON\n"
                      "  test      run the functional tests, TAP and JSON (see --help)\n"
                      "  hibernate-cycle  hibernate and check the restored memory (run by "
                      "/init)\n");
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "usemem"))
        return vswap::usemem_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "samefill"))
        return vswap::samefill_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "pagecost"))
        return vswap::pagecost_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "swapoff"))
        return vswap::swapoff_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "pageswap"))
        return vswap::pageswap_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "kbuild"))
        return vswap::kbuild_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "bench"))
        return vswap::bench_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "test"))
        return vswap::tests::test_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "hibernate-cycle"))
        return vswap::hibernate_cycle_main(argc - 1, argv + 1);
    std::fprintf(stderr, "vswap-guest: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
