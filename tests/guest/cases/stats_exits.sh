#!/bin/bash
# SPDX-License-Identifier: MIT
# -stats: one line of VM-exit counters per vCPU.  The boot-info guest
# prints on COM1 byte by byte, and every byte is at least one port-I/O exit
# of the boot vCPU, so io is at least the console's byte count; the parts
# add up to the total; the second vCPU ran too (it was brought up).
# timeout: 60
. "$(dirname "$0")/common.bash"

bootinfo_run stats -m 128 -smp 2 -stats -append "bootinfo.action=poweroff"
expect_rc stats 0
expect_complete stats
line0=$(grep '^vcpu0: exits=' "$ERR") || fail "no vcpu0 counters"
grep -q '^vcpu1: exits=' "$ERR" || fail "no vcpu1 counters"
read -r exits io mmio intr other < <(sed -n \
	's/^vcpu0: exits=\([0-9]*\) io=\([0-9]*\) mmio=\([0-9]*\) intr=\([0-9]*\) other=\([0-9]*\)$/\1 \2 \3 \4 \5/p' \
	<<<"$line0")
[ -n "${other:-}" ] || fail "vcpu0 line malformed: $line0"
[ $((io + mmio + intr + other)) -eq "$exits" ] || fail "parts do not add up: $line0"
bytes=$(stat -c %s "$WORK/stats.raw")
[ "$io" -ge "$bytes" ] || fail "vcpu0 io=$io < $bytes console bytes"
echo "PASS: vcpu0 $exits exits ($io port I/O for $bytes console bytes), vcpu1 counted"
