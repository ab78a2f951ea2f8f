#!/bin/bash
# SPDX-License-Identifier: MIT
# -timeout: a guest that hangs (halts with interrupts off) is stopped after
# the given seconds with exit code 124, and stderr shows each vCPU's RIP
# and the -stats counters; a guest that powers off in time is not touched.
# timeout: 120
. "$(dirname "$0")/common.bash"

# Not bootinfo_run: its timeout(1) also says 124.  A KILL says 137.
timeout -s KILL 60 "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial stdio \
	-m 128 -smp 2 -timeout 3 -append "console=ttyS0 bootinfo.action=halt" \
	</dev/null >"$WORK/hang.raw" 2>"$WORK/hang.err"
RC=$?
tr -d '\r' <"$WORK/hang.raw" >"$WORK/hang.out"
OUT=$WORK/hang.out
ERR=$WORK/hang.err
expect_rc hang 124
for v in 0 1; do
	grep -Eq "^minivmm: -timeout: vcpu$v rip=0x[0-9a-f]{16}$" "$ERR" ||
		{ show_run hang; fail "no RIP line for vcpu$v"; }
done
grep -q '^vcpu0: exits=' "$ERR" || { show_run hang; fail "no -stats counters"; }

bootinfo_run quick -m 128 -timeout 60 -append "console=ttyS0"
expect_rc quick 0
grep -q -- '-timeout' "$ERR" && { show_run quick; fail "-timeout fired early"; }
echo "PASS: -timeout stops a hung guest with 124, RIPs and counters"
