#!/bin/busybox sh
# PID 1 of the vswap guest: mount what tests need, run the job that the host
# left in /job/cmd, write its exit status to /job/rc, and power off.
# ttyS0 is the kernel console, ttyS1 the job's stdout, ttyS2 its stderr.
/bin/busybox mkdir -p /proc /sys /dev /tmp /host /job /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1

fail() {
	echo "vswap-init: $*"
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# A hibernation cycle (host/hibernate_cycle.cpp) runs without 9p, which
# does not survive a restore, and reports on ttyS1.
for word in $(cat /proc/cmdline); do
	case "$word" in
	vswap.hibernate=*)
		stty -F /dev/ttyS1 raw -echo 2>/dev/null
		cd /tmp
		vswap-guest hibernate-cycle "${word#*=}" </dev/null >/dev/ttyS1 2>/dev/ttyS2
		sync
		poweroff -f
		;;
	esac
done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 job /job ||
	fail "cannot mount the job share"
# VSWAP_PROJECT: the checkout's path on the host.
[ -f /job/env ] && . /job/env
# The host's root, read-only, for chroot: stress-ng, compilers, selftests.
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro hostroot /host; then
	# The guest gets its own /tmp; keep a checkout under the host's /tmp
	# reachable at the same path (in the guest under /host, and in chroot).
	project_in_tmp=
	case "${VSWAP_PROJECT:-}" in
	/tmp/*)
		mkdir -p /project
		mount -o bind "/host$VSWAP_PROJECT" /project && project_in_tmp=1
		;;
	esac
	for d in proc sys dev; do mount -o rbind /$d /host/$d; done
	mount -t tmpfs -o mode=1777 tmpfs /host/tmp
	if [ -n "$project_in_tmp" ]; then
		mkdir -p "/host$VSWAP_PROJECT"
		mount -o bind /project "/host$VSWAP_PROJECT"
	fi
fi
hostname vswap-guest
stty -F /dev/ttyS1 raw -echo 2>/dev/null
stty -F /dev/ttyS2 raw -echo 2>/dev/null
cd /tmp
sh /job/cmd </dev/null >/dev/ttyS1 2>/dev/ttyS2
echo $? >/job/rc.tmp && mv /job/rc.tmp /job/rc
sync
poweroff -f
