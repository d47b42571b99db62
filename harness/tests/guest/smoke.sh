#!/bin/sh
# Guest smoke test: swapon a virtio disk, write a per-page pattern over
# twice the guest's RAM, read it all back and verify every byte, swapoff.
fail() {
	echo "smoke: FAIL: $*"
	exit 1
}
counter() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

[ -b /dev/vda ] || fail "no swap disk at /dev/vda"
mkswap /dev/vda >/dev/null || fail "mkswap /dev/vda"
swapon /dev/vda || fail "swapon /dev/vda"
grep -q '^/dev/vda ' /proc/swaps || fail "/dev/vda is not in /proc/swaps after swapon"

mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
out0=$(counter pswpout)
in0=$(counter pswpin)
# Two processes of MemTotal each: twice the RAM in all.
vswap-guest usemem -n 2 -O "${mem_kb}k" || fail "usemem reported an error"
swapped_out=$(($(counter pswpout) - out0))
swapped_in=$(($(counter pswpin) - in0))
[ "$swapped_out" -gt 0 ] || fail "no page was swapped out (pswpout did not rise)"
[ "$swapped_in" -gt 0 ] || fail "no page was swapped in (pswpin did not rise)"

swapoff /dev/vda || fail "swapoff /dev/vda"
grep -q '^/dev/vda ' /proc/swaps && fail "/dev/vda is still in /proc/swaps after swapoff"
echo "smoke: PASS on ${VSWAP_KERNEL:-?}: $((2 * mem_kb / 1024)) MiB verified," \
	"$swapped_out pages swapped out, $swapped_in swapped in"
