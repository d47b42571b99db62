#!/usr/bin/env python3
"""Summarise `perf script -F comm,ip,sym` call graphs read on stdin.

For each function named in FOCUS (comma-separated), print how many samples
went through it, then the functions below it in those samples (I: samples
whose stack holds the function under the focus) and the functions the
samples were taken in (L: leaves), and the focus's callers (C). With FOCUS
empty, the whole profile. COMM, if set, keeps only the samples of tasks
whose name starts with it (ANNOTATE's counts too).
LIMIT (default 60) caps the lines of each list. ANNOTATE names a function
whose leaf samples are counted by offset (A: offset, samples), to be read
against `gdb -batch -ex 'disassemble /s FUNCTION' vmlinux`."""
import collections
import os
import sys

limit = int(os.environ.get("LIMIT", "60"))
focus = [f for f in os.environ.get("FOCUS", "").split(",") if f] or [None]
# Per focus: samples, inclusive (I), leaves (L), callers (C).
tables = {f: [0] + [collections.Counter() for _ in range(3)] for f in focus}
annotate = os.environ.get("ANNOTATE", "")
comm_prefix = os.environ.get("COMM", "")
offsets = collections.Counter()


def account(frames, leaf_offset):
    if comm_prefix and not comm.startswith(comm_prefix):
        return
    if frames[0] == annotate:
        offsets[leaf_offset] += 1
    for f in focus:
        if f is not None and f not in frames:
            continue
        at = frames.index(f) if f else len(frames)
        below = frames[:at]
        table = tables[f]
        table[0] += 1
        table[1].update(set(below))
        table[2][frames[0]] += 1
        if f:
            table[3][frames[at + 1] if at + 1 < len(frames) else "?"] += 1


frames = []
comm = ""
leaf_offset = ""
for line in sys.stdin:
    line = line.rstrip()
    if not line:
        if frames:
            account(frames, leaf_offset)
        frames = []
    elif line[0] in " \t":
        parts = line.split()
        name, _, offset = parts[1].partition("+") if len(parts) > 1 else ("?", "", "")
        if not frames:
            leaf_offset = offset
        frames.append(name)
    else:
        comm = line.split()[0]
if frames:
    account(frames, leaf_offset)

for f in focus:
    samples, inclusive, leaves, callers = tables[f]
    print(f"== {f or 'all'}: {samples} samples")
    for name, n in inclusive.most_common(limit):
        print(f"I {n:6d} {name}")
    for name, n in leaves.most_common(limit):
        print(f"L {n:6d} {name}")
    for name, n in callers.most_common(limit):
        print(f"C {n:6d} {name}")

if annotate:
    print(f"== {annotate}: leaf samples by offset")
    for offset, n in sorted(offsets.items(), key=lambda kv: int(kv[0] or "0", 16)):
        print(f"A {offset or '0x0'} {n}")
