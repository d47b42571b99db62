// vswap-guest: the agent that runs workloads and checks inside the guest.
#include "guest/tests/test_main.h"
#include "guest/usemem.h"

#include <cstdio>
#include <cstring>

namespace {

void usage(FILE* out) {
    std::fprintf(out, "usage: vswap-guest COMMAND [ARGS...]\n"
                      "commands:\n"
                      "  usemem    map memory, write a per-page pattern, verify it (see --help)\n"
                      "  test      run the functional tests, TAP and JSON (see --help)\n");
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "usemem"))
        return vswap::usemem_main(argc - 1, argv + 1);
    if (!std::strcmp(argv[1], "test"))
        return vswap::tests::test_main(argc - 1, argv + 1);
    std::fprintf(stderr, "vswap-guest: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
