#!/bin/sh
# Runs the kernel's selftests in the guest: selftests.sh BIN_DIR NAME:TIMEOUT...
# BIN_DIR is the binaries' path on the host (they run under chroot /host).
# Each test's TAP goes to /job/selftests/NAME.tap, its exit status to
# NAME.rc (124/137 when killed at its timeout) and its wall time to
# NAME.seconds. The script itself fails only when the setup does.
bin=$1
shift
out=/job/selftests
mkdir -p "$out"
fail() {
	echo "selftests: $*" >&2
	exit 1
}

# What the tests need: swap (cow pages out, test_zswap and test_memcontrol
# use memory.swap.*), zswap on, and a disk-backed working directory for
# the page-cache tests of test_memcontrol (the host root is read-only).
[ -b /dev/vda ] || fail "no swap disk at /dev/vda"
mkswap /dev/vda >/dev/null || fail "mkswap /dev/vda"
swapon /dev/vda || fail "swapon /dev/vda"
echo Y >/sys/module/zswap/parameters/enabled || fail "cannot enable zswap"
cwd=/tmp
if [ -b /dev/vdb ] && [ -d /host/mnt ] && mount -t ext4 /dev/vdb /host/mnt; then
	cwd=/mnt
fi
ip link set lo up 2>/dev/null

for spec in "$@"; do
	name=${spec%%:*}
	limit=${spec#*:}
	echo "selftests: running $name (timeout ${limit}s, cwd $cwd)"
	start=$(date +%s)
	# Line-buffered, so that forked children do not repeat buffered output.
	timeout -s KILL "$limit" chroot /host /bin/sh -c \
		"cd $cwd && exec stdbuf -oL -eL $bin/$name" >"$out/$name.tap" 2>&1
	rc=$?
	echo $(($(date +%s) - start)) >"$out/$name.seconds"
	echo $rc >"$out/$name.rc"
	echo "selftests: $name exited with $rc after $(cat "$out/$name.seconds") s;" \
		"$(grep -c '^ok ' "$out/$name.tap") ok, $(grep -c '^not ok ' "$out/$name.tap") not ok"
	# Some of these tests are timing-sensitive under TCG: a binary with
	# failures runs once more, and the report names each test that failed
	# only once as flaky.
	if [ "$rc" = 1 ]; then
		timeout -s KILL "$limit" chroot /host /bin/sh -c \
			"cd $cwd && exec stdbuf -oL -eL $bin/$name" >"$out/$name.retry.tap" 2>&1
		echo $? >"$out/$name.retry.rc"
		echo "selftests: $name rerun: $(grep -c '^not ok ' "$out/$name.retry.tap") not ok"
	fi
done
swapoff /dev/vda
exit 0
