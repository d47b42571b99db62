#!/bin/sh
# Profile a command in a vswap guest with the host's perf (cpu-clock
# sampling, call graphs) and print the kernel functions its samples went
# through, for each function named in FOCUS. Run it through the harness,
# e.g. usemem on a disk (swap on /dev/vda, a 32 MiB memory.max):
#
#   scripts/vswap boot --kernel vswap --icount --swap-disk 256M -- \
#     sh -c "FOCUS=__vm_munmap,folio_alloc_swap N=3 \
#            sh /host$PWD/scripts/profile/guest-perf.sh \
#            vswap-guest usemem -n 2 -O -y --init-time 48M"
#
# COMM=NAME keeps the samples of tasks whose name starts with NAME.
# SWAP_DEVICE (default /dev/vda) is the device swap goes on: /dev/ram0 is
# the RAM disk of the benchmark's "ramdisk" backend.
# Under --icount the guest's clock counts instructions, so two kernels'
# sample counts compare directly. Samples taken while interrupts are off
# land on the instruction that turns them back on.
set -e
here=$(dirname "$0")
N=${N:-1}
swap_device=${SWAP_DEVICE:-/dev/vda}
mkswap "$swap_device" >/dev/null
swapon "$swap_device"
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/profiled
echo "${MEMORY_MAX:-32M}" > /sys/fs/cgroup/profiled/memory.max
chroot /host perf record -e cpu-clock -a -g -F 4000 -o /tmp/perf.data >/dev/null 2>&1 &
perf_pid=$!
sleep 3
i=0
while [ $i -lt "$N" ]; do
	sh -c 'echo $$ > /sys/fs/cgroup/profiled/cgroup.procs; exec "$@"' sh "$@"
	i=$((i + 1))
done
kill -INT $perf_pid
wait $perf_pid || true
chroot /host sh -c "perf script -i /tmp/perf.data -F comm,ip,sym,symoff 2>/dev/null |
	FOCUS='$FOCUS' COMM='${COMM:-}' LIMIT='${LIMIT:-60}' ANNOTATE='${ANNOTATE:-}' python3 '${here#/host}/perf-focus.py'"
