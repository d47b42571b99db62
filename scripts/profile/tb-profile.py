#!/usr/bin/env python3
"""Count the kernel instructions each swap operation executes, per function.

  tb-profile.py record KERNEL OUT.json [--pages N] [--zswap] [--cgroup] [--swapoff]
                [--keep-log]
  tb-profile.py diff A.json B.json [--phase pageout|swapoff|swapin|free] [--top N]

`record` boots KERNEL (a variant built by `scripts/vswap kernel build`) under
TCG with TB chaining off, runs swapops.c (page-out, swap-in and free of
PAGES pages on a disk, or with zswap; with --swapoff, a swapoff of the disk
between page-out and swap-in), and has QEMU log every translation
block the guest executes during those phases (the host turns the log on and
off through the QEMU monitor). Each block's instruction count comes from the
disassembly of the kernel's vmlinux, up to its first control transfer, so
the per-function totals are deterministic counts, not samples: run it on two
kernels and `diff` shows where one executes more. Interrupt handlers
(from an asm_sysvec_* or asm_common_interrupt entry to its iret) are
counted apart: timer and device interrupts land where the host's clock
puts them, so their counts vary from run to run. Each iteration of a REP
string instruction (clear_page_erms) is a block of one instruction.
"""
import argparse
import bisect
import collections
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHASES = ("pageout", "swapoff", "swapin", "free")
MARKER = "__x64_sys_personality"
KERNEL_BASE = 0xFFFFFFFF80000000
# The counting rules a recording was made with; diff compares only equals.
# 1 (no "format" key): a REP string instruction was one block of one
# instruction, however many times it iterated. 2: one block per iteration.
# 3: a task switch ends interrupt context (see count_blocks), and swapops
# writes the benchmark's "compressible" pages.
FORMAT = 3
# Instructions after which TCG ends a translation block.
BLOCK_END = re.compile(r"^(j|call|ret|iret|sysret|syscall|sysexit|lret|hlt|int3|ud2|sti|popf|wrmsr|swapgs)")


def recorded_phases(swapoff):
    """The phases a recording has: the swapoff phase only when asked for."""
    return PHASES if swapoff else tuple(p for p in PHASES if p != "swapoff")


def die(message):
    sys.exit(f"tb-profile: {message}")


def text_symbols(obj):
    symbols = []
    with open(os.path.join(obj, "System.map")) as f:
        for line in f:
            address, kind, name = line.split()[:3]
            if kind in "tTwW":
                symbols.append((int(address, 16), name))
    symbols.sort()
    return symbols


def monitor(sock, command):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)
        s.settimeout(2)
        time.sleep(0.2)
        try:
            s.recv(4096)  # the banner and prompt
        except OSError:
            pass
        s.sendall((command + "\n").encode())
        time.sleep(0.5)


def boot_and_log(args, work, log):
    binary = os.path.join(work, "swapops")
    subprocess.run(["gcc", "-O2", "-static", "-o", binary,
                    os.path.join(ROOT, "scripts/profile/swapops.c")], check=True)
    script = os.path.join(work, "guest.sh")
    disk, cgroup = "/dev/vda", "/sys/fs/cgroup/tbprof"
    with open(script, "w") as f:
        f.write(f"mkswap {disk} >/dev/null && swapon {disk} || exit 1\n")
        f.write(f"echo {'Y' if args.zswap else 'N'} > /sys/module/zswap/parameters/enabled\n")
        if args.cgroup:
            f.write(f"echo +memory > /sys/fs/cgroup/cgroup.subtree_control && mkdir {cgroup} && "
                    f"echo $$ > {cgroup}/cgroup.procs || exit 1\n")
        # swapops PAGES [CGROUP [DEVICE]]; an empty CGROUP is the root.
        where = cgroup if args.cgroup else '""'
        device = f" {disk}" if args.swapoff else ""
        f.write(f"/host{binary} {args.pages} {where}{device}\n")
    sock = os.path.join(work, "monitor.sock")
    for path in (sock, log):
        if os.path.exists(path):
            os.unlink(path)
    env = dict(os.environ, VSWAP_QEMU_ARGS=f"-d nochain -D {log} -monitor unix:{sock},server,nowait")
    command = [os.path.join(ROOT, "scripts/vswap"), "boot", "--kernel", args.kernel, "-c", "1",
               "--accel", "tcg", "--swap-disk", "1G", "--timeout", "900", "--", f"sh /host{script}"]
    guest = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                             text=True, bufsize=1)
    logged = False
    for line in guest.stdout:
        if "TBPROF-ON" in line:
            monitor(sock, "log nochain,exec")
            logged = True
        elif "TBPROF-OFF" in line:
            monitor(sock, "log nochain")
        elif not logged or "swapops:" in line:
            sys.stderr.write(line)
    if guest.wait() != 0 or not logged:
        die(f"the guest failed (exit status {guest.returncode}); its output is above")


class EntryPoints:
    """Where interrupts and exceptions enter the kernel, and where they return."""

    def __init__(self, symbols, named):
        self.interrupts = {a for a, n in symbols
                           if n.startswith("asm_sysvec_") or n == "asm_common_interrupt"}
        self.exceptions = {a for a, n in symbols if n.startswith("asm_exc_")}
        # The block that executes the iretq: it falls through from the
        # kernel's register restore, or is jumped to on the way to user mode.
        self.iret = (named["restore_regs_and_return_to_kernel"],
                     named["native_irq_return_iret"] + 1)
        self.switch = named["__switch_to_asm"]


def count_blocks(log, marker, entries, expected):
    """Executions of each block address in each marked phase: (task, interrupt).

    A block runs in interrupt context if an interrupt entry has been seen
    and not yet returned from (each entry, interrupt or exception, returns
    through one iret); interrupts are counted apart as the guest kernels'
    IRQ time accounting does, since where they land depends on the host.
    No task switch happens inside an interrupt handler: one that returns to
    user mode through schedule() has left interrupt context already, and the
    task switched to resumes where it was. So a switch forgets the entries
    under way; otherwise the rest of a system call resumed that way would
    be counted as interrupt work.
    """
    phases, current, marks, stack = [], None, 0, []
    address = re.compile(r"/([0-9a-f]{16})/")
    with open(log) as f:
        for line in f:
            m = address.search(line)
            if not m:
                continue
            pc = int(m.group(1), 16)
            if pc < KERNEL_BASE or pc == marker or pc == entries.switch:
                # In user mode, at a system call or at a task switch, no
                # interrupt is under way: entries whose iret was not seen
                # are forgotten.
                stack.clear()
            if pc in entries.interrupts or pc in entries.exceptions:
                stack.append(pc in entries.interrupts)
            if pc == marker:
                marks += 1
                current = (collections.Counter(), collections.Counter()) if marks % 2 else None
                if current is not None:
                    phases.append(current)
            elif current is not None:
                current[1 if any(stack) else 0][pc] += 1
            if entries.iret[0] <= pc < entries.iret[1] and stack:
                stack.pop()
    if len(phases) != expected:
        die(f"found {marks} phase markers in {log}, expected {2 * expected}")
    return phases


def block_sizes(obj, starts):
    """Instructions from each block start up to its first control transfer."""
    disassembly = subprocess.run(["objdump", "-d", "--no-show-raw-insn", os.path.join(obj, "vmlinux")],
                                 capture_output=True, text=True, check=True).stdout
    line = re.compile(r"^([0-9a-f]{16}):\s+(\S+)")
    instructions = [(int(m.group(1), 16), m.group(2))
                    for m in map(line.match, disassembly.splitlines()) if m]
    addresses = [a for a, _ in instructions]
    sizes = {}
    for start in starts:
        k, n = bisect.bisect_left(addresses, start), 0
        if k < len(instructions) and instructions[k][1].startswith("rep"):
            sizes[start] = 1  # one iteration of a string instruction per block
            continue
        while k < len(instructions) and n < 512:
            n += 1
            if BLOCK_END.match(instructions[k][1]):
                break
            k += 1
            if k < len(instructions) and instructions[k][0] >> 12 != start >> 12:
                break  # a block does not cross a page
        sizes[start] = max(n, 1)
    return sizes


def record(args):
    obj = os.path.join(ROOT, "build/obj", args.kernel)
    if not os.path.exists(os.path.join(obj, "vmlinux")):
        die(f"{obj}/vmlinux is missing: build it with scripts/vswap kernel build {args.kernel}")
    symbols = text_symbols(obj)
    named = {name: address for address, name in symbols}
    marker = named.get(MARKER)
    if marker is None:
        die(f"{MARKER} is not in {obj}/System.map")
    work = os.path.join(ROOT, "build/profile")
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, f"exec-{args.kernel}.log")
    print(f"tb-profile: booting {args.kernel}, logging {args.pages} pages' swap operations",
          file=sys.stderr)
    boot_and_log(args, work, log)
    names = recorded_phases(args.swapoff)
    phases = count_blocks(log, marker, EntryPoints(symbols, named), len(names))
    starts = sorted({pc for phase in phases for part in phase for pc in part if pc >= KERNEL_BASE})
    sizes = block_sizes(obj, starts)
    addresses = [a for a, _ in symbols]

    def by_function(blocks_at):
        instructions, blocks = collections.Counter(), collections.Counter()
        for pc, n in blocks_at.items():
            if pc >= KERNEL_BASE:
                function = symbols[bisect.bisect_right(addresses, pc) - 1][1]
                instructions[function] += n * sizes[pc]
                blocks[function] += n
        return dict(instructions), dict(blocks)

    result = {"format": FORMAT, "kernel": args.kernel, "pages": args.pages, "zswap": args.zswap,
              "cgroup": args.cgroup, "swapoff": args.swapoff, "phases": {}}
    for name, (task, interrupt) in zip(names, phases):
        instructions, blocks = by_function(task)
        irq_instructions, irq_blocks = by_function(interrupt)
        result["phases"][name] = {
            "instructions": instructions, "blocks": blocks,
            "interrupt_instructions": irq_instructions, "interrupt_blocks": irq_blocks,
            "user_blocks": sum(n for pc, n in task.items() if pc < KERNEL_BASE)}
        total, irq = sum(instructions.values()), sum(irq_instructions.values())
        print(f"{name:8s} {total / args.pages:8.0f} kernel instructions per page, "
              f"{irq / args.pages:6.0f} more in interrupts")
    with open(args.out, "w") as f:
        json.dump(result, f)
    if not args.keep_log:
        os.unlink(log)


def diff(args):
    with open(args.a) as fa, open(args.b) as fb:
        a, b = json.load(fa), json.load(fb)
    for path, recording in ((args.a, a), (args.b, b)):
        if recording.get("format", 1) != FORMAT:
            die(f"{path} was recorded by tb-profile format {recording.get('format', 1)}, this one "
                f"counts by format {FORMAT}: record it again")
    for key in ("pages", "zswap", "cgroup", "swapoff"):
        if a.get(key, False) != b.get(key, False):
            die(f"{args.a} has {key}={a.get(key, False)}, {args.b} {key}={b.get(key, False)}: "
                "record both alike")
    if args.phase not in a["phases"]:
        die(f"{args.a} has no {args.phase} phase: record with --swapoff")
    pa, pb = a["phases"][args.phase], b["phases"][args.phase]
    ia, ib = pa["instructions"], pb["instructions"]
    ta, tb = sum(ia.values()), sum(ib.values())
    pages = a["pages"]
    print(f"{args.phase}: {a['kernel']} {ta / pages:.0f}, {b['kernel']} {tb / pages:.0f} "
          f"instructions per page ({(tb - ta) / pages:+.0f}), interrupts apart")
    qa, qb = (sum(p.get("interrupt_instructions", {}).values()) / pages for p in (pa, pb))
    print(f"in interrupts: {qa:.0f} and {qb:.0f} per page (timer ticks land where the host's "
          "clock puts them)")
    print(f"{'per page':>9s} {a['kernel']:>10s} {b['kernel']:>10s}  function (blocks executed)")
    rows = sorted(set(ia) | set(ib), key=lambda f: -abs(ib.get(f, 0) - ia.get(f, 0)))
    for function in rows[:args.top]:
        x, y = ia.get(function, 0), ib.get(function, 0)
        print(f"{(y - x) / pages:+9.1f} {x / pages:10.1f} {y / pages:10.1f}  {function} "
              f"({pa['blocks'].get(function, 0)} / {pb['blocks'].get(function, 0)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 2)[2])
    sub = parser.add_subparsers(dest="verb", required=True)
    r = sub.add_parser("record", help="boot a kernel and count its instructions per function")
    r.add_argument("kernel", help="baseline, vswap, vswap-off or debug")
    r.add_argument("out", help="where to write the counts (JSON)")
    r.add_argument("--pages", type=int, default=1024, help="pages to swap (default 1024)")
    r.add_argument("--zswap", action="store_true", help="store in zswap instead of the disk")
    r.add_argument("--cgroup", action="store_true",
                   help="run in a memory cgroup of its own, as the benchmark's workloads do")
    r.add_argument("--swapoff", action="store_true",
                   help="swapoff the disk between page-out and swap-in (a phase of its own)")
    r.add_argument("--keep-log", action="store_true", help="keep QEMU's execution log")
    d = sub.add_parser("diff", help="compare two recordings, largest differences first")
    d.add_argument("a")
    d.add_argument("b")
    d.add_argument("--phase", choices=PHASES, default="pageout")
    d.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    if args.verb == "record":
        record(args)
    else:
        # Its table is often piped into head: end quietly when the reader does.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        diff(args)


if __name__ == "__main__":
    main()
