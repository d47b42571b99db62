#include "host/kbuild_kit.h"

#include <gtest/gtest.h>

using namespace vswap;

TEST(KbuildKit, RewritesKbuildsCompileCommand) {
    const std::string saved =
        "savedcmd_mm/page_io.o := ccache gcc -Wp,-MMD,mm/.page_io.o.d -nostdinc "
        "-I/w/src/linux/arch/x86/include -I./arch/x86/include/generated "
        "-include /w/src/linux/include/linux/kconfig.h -fmacro-prefix-map=/w/src/linux/= "
        "-DKBUILD_MODFILE='\"mm/page_io\"' -c -o mm/page_io.o /w/src/linux/mm/page_io.c   ; "
        "./tools/objtool/objtool --orc mm/page_io.o";
    std::string cmd = kit_compile_command(saved, "/w/src/linux", "/tmp/kbuild/src", "$@");
    EXPECT_EQ(cmd, "gcc -nostdinc -I/tmp/kbuild/src/arch/x86/include "
                   "-I./arch/x86/include/generated -include "
                   "/tmp/kbuild/src/include/linux/kconfig.h "
                   "-fmacro-prefix-map=/tmp/kbuild/src/= -DKBUILD_MODFILE='\"mm/page_io\"' -c -o "
                   "$@ /tmp/kbuild/src/mm/page_io.c");
}

TEST(KbuildKit, ParsesDependencyFiles) {
    auto files = parse_depfile("page_io.o: /s/mm/page_io.c /s/include/linux/mm.h \\\n"
                               "  include/generated/autoconf.h \\\n"
                               " ./arch/x86/include/generated/asm/rwonce.h\n");
    EXPECT_EQ(files, (std::vector<std::string>{"/s/mm/page_io.c", "/s/include/linux/mm.h",
                                               "include/generated/autoconf.h",
                                               "./arch/x86/include/generated/asm/rwonce.h"}));
}
