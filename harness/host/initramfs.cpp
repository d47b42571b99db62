#include "host/initramfs.h"

#include "common/error.h"
#include "common/process.h"
#include "common/text.h"

namespace vswap {
namespace fs = std::filesystem;

fs::path ensure_initramfs(const Paths& paths, Progress& progress) {
    const fs::path busybox = kBusybox;
    const fs::path agent = paths.harness_bin() / "vswap-guest";
    const fs::path init = paths.root / "harness/guest/init.sh";
    if (!fs::exists(busybox))
        throw UserError("busybox not found at " + busybox.string(),
                        "install busybox-static (scripts/vswap does this as root)");
    if (!fs::exists(agent))
        throw UserError("the guest agent " + agent.string() + " is not built",
                        "run the harness through scripts/vswap, which builds it");

    const std::string busybox_data = read_file(busybox);
    if (busybox_data.find("/lib64/ld-linux") != std::string::npos)
        throw UserError(busybox.string() + " is dynamically linked and cannot run in the guest",
                        "install busybox-static instead of busybox");
    const std::string agent_data = read_file(agent);
    const std::string init_data = read_file(init);
    const std::string stamp =
        content_hash(content_hash(busybox_data) + content_hash(agent_data) + init_data);

    const fs::path out = paths.guest() / "initramfs.cpio";
    const fs::path stamp_file = paths.guest() / "initramfs.stamp";
    if (fs::exists(out) && trim(read_file_if_exists(stamp_file).value_or("")) == stamp)
        return out;

    progress.info("building the guest initramfs: " + out.string());
    const fs::path root = paths.guest() / "root";
    fs::remove_all(root);
    for (const char* dir : {"bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp",
                            "host", "job", "root", "etc"})
        fs::create_directories(root / dir);
    fs::copy_file(busybox, root / "bin/busybox");
    fs::copy_file(agent, root / "bin/vswap-guest");
    fs::copy_file(init, root / "init");
    for (const auto& file : {root / "bin/busybox", root / "bin/vswap-guest", root / "init"})
        fs::permissions(file, fs::perms(0755));
    // The guest's RAM is small and the initramfs stays in it: no debug info.
    if (program_in_path("strip"))
        run_checked({"strip", "--strip-debug", (root / "bin/vswap-guest").string()});
    RunOptions options;
    options.cwd = root;
    run_checked({"sh", "-c", "find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 > \"$0\"",
                 (paths.guest() / "initramfs.cpio.tmp").string()},
                options, "is cpio installed?");
    fs::rename(paths.guest() / "initramfs.cpio.tmp", out);
    write_file_atomic(stamp_file, stamp + "\n");
    return out;
}

} // namespace vswap
