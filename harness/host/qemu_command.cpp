#include "host/qemu_command.h"

#include "common/error.h"

namespace vswap {

std::vector<std::string> qemu_command(const GuestSpec& spec) {
    if (spec.icount && spec.cpus != 1)
        throw UserError("--icount runs one vCPU, but " + std::to_string(spec.cpus) +
                            " were asked for",
                        "drop --cpus, or use --timing mttcg for several vCPUs");
    if (spec.icount && spec.accel != Accel::Tcg)
        throw UserError("--icount needs TCG", "drop --accel kvm");
    if (spec.kernel.empty() || spec.initrd.empty())
        throw std::logic_error("qemu_command: kernel and initrd are required");

    std::vector<std::string> argv = {spec.qemu, "-nodefaults", "-no-user-config", "-nographic",
                                     "-no-reboot"};
    if (spec.accel == Accel::Kvm) {
        argv.insert(argv.end(), {"-accel", "kvm", "-cpu", "host"});
    } else {
        argv.insert(argv.end(),
                    {"-accel", spec.icount ? "tcg" : "tcg,thread=multi", "-cpu", "max"});
        if (spec.icount)
            argv.insert(argv.end(), {"-icount", "shift=3,sleep=off"});
    }
    argv.insert(argv.end(), {"-smp", std::to_string(spec.cpus), "-m",
                             std::to_string(spec.mem_bytes >> 20) + "M"});
    argv.insert(argv.end(), {"-kernel", spec.kernel.string(), "-initrd", spec.initrd.string()});
    std::string append = "console=ttyS0 panic=-1 rdinit=/init 8250.nr_uarts=4 tsc=reliable";
    if (!spec.append.empty())
        append += " " + spec.append;
    argv.insert(argv.end(), {"-append", append});
    for (const auto& log : {spec.console_log, spec.stdout_log, spec.stderr_log})
        argv.insert(argv.end(), {"-serial", log.empty() ? "null" : "file:" + log.string()});
    for (const auto& disk : spec.disks)
        argv.insert(argv.end(), {"-drive", "file=" + disk.string() +
                                               ",format=raw,if=virtio,cache=unsafe,discard=unmap"});
    if (!spec.host_share.empty())
        argv.insert(argv.end(),
                    {"-virtfs", "local,path=" + spec.host_share.string() +
                                    ",mount_tag=hostroot,security_model=none,readonly=on,"
                                    "multidevs=remap"});
    if (!spec.job_share.empty())
        argv.insert(argv.end(), {"-virtfs", "local,path=" + spec.job_share.string() +
                                                ",mount_tag=job,security_model=none"});
    argv.insert(argv.end(), spec.extra_args.begin(), spec.extra_args.end());
    return argv;
}

} // namespace vswap
