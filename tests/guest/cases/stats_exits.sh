#!/bin/bash
# SPDX-License-Identifier: MIT
# -stats: one line of VM-exit counters per vCPU.  The boot-info guest
# prints on COM1 byte by byte, and every byte is at least one port-I/O exit
# of the boot vCPU, so io is at least the console's byte count; the parts
# add up to the total; KVM's own count (kvm_exits, in-kernel exits too;
# Linux 5.14+) is at least ours; the second vCPU has its line too.
# timeout: 60
. "$(dirname "$0")/common.bash"

bootinfo_run stats -m 128 -smp 2 -stats -append "bootinfo.action=poweroff"
expect_rc stats 0
expect_complete stats
line0=$(grep '^vcpu0: exits=' "$ERR") || fail "no vcpu0 counters"
grep -q '^vcpu1: exits=' "$ERR" || fail "no vcpu1 counters"
read -r exits io mmio intr other kvm < <(sed -n \
	's/^vcpu0: exits=\([0-9]*\) io=\([0-9]*\) mmio=\([0-9]*\) intr=\([0-9]*\) other=\([0-9]*\)\( kvm_exits=\([0-9]*\)\)\{0,1\}$/\1 \2 \3 \4 \5 \7/p' \
	<<<"$line0")
[ -n "${other:-}" ] || fail "vcpu0 line malformed: $line0"
[ $((io + mmio + intr + other)) -eq "$exits" ] || fail "parts do not add up: $line0"
bytes=$(stat -c %s "$WORK/stats.raw")
[ "$io" -ge "$bytes" ] || fail "vcpu0 io=$io < $bytes console bytes"
if [ -n "${kvm:-}" ]; then
	[ "$kvm" -ge "$exits" ] || fail "KVM counted fewer exits than minivmm: $line0"
elif [ "$(uname -r | cut -d. -f1)" -ge 6 ]; then
	fail "no kvm_exits on a Linux $(uname -r) host (KVM_GET_STATS_FD): $line0"
fi
echo "PASS: vcpu0 $exits exits ($io port I/O for $bytes console bytes), vcpu1 counted"
