#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 15, items 5 and 6: every exit path puts an existing TAP back, and
# minivmm keeps no capability it does not need after set-up.
#
# In a private network namespace: bridge br0 and a persistent TAP tap0
# (down, on no bridge).  minivmm brings tap0 up and adds it to br0; at
# exit it must be down and off br0 again, whichever way minivmm ends:
#   - SIGTERM (the orderly teardown, with the capabilities dropped),
#   - a seccomp trap on the main thread, on a vCPU thread and on an I/O
#     thread (MINIVMM_SECCOMP_SELFTEST=main|vcpu|io: exit 1),
#   - a vCPU that does not stop (MINIVMM_SELFTEST_STUCK_VCPU=1: exit 1).
# While it runs, CapEff/CapPrm hold CAP_NET_ADMIN only (to put the TAP
# back), and nothing at all without a TAP; NoNewPrivs is 1 (so an execve
# could grant nothing; the bounding set is left as it was).
# timeout: 180
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM BOOTINFO_BZIMAGE
skip_unless_tap
skip_unless_linked "made forbidden syscall" "seccomp"
if grep -aqF "AddressSanitizer" "$MINIVMM"; then
	echo "SKIP: sanitizer build, seccomp is off by design (docs/security.md)"
	exit 77
fi

bridge_ns exit
nsrun ip tuntap add dev tap0 mode tap || fail "cannot create a persistent TAP"

# run_halted NAME [env...]: minivmm in the namespace with tap0 on br0,
# the boot-info guest halted; sets PID once it halted (or died).
run_halted() {
	local name=$1
	shift
	env "$@" ip netns exec "$NS" "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" \
		-serial stdio -m 64 -append "console=ttyS0 bootinfo.action=halt" \
		-tap tap0,bridge=br0 </dev/null >"$WORK/$name.raw" \
		2>"$WORK/$name.err" &
	PID=$!
	for _ in $(seq 300); do
		grep -q 'GUEST halt' "$WORK/$name.raw" 2>/dev/null && return 0
		kill -0 $PID 2>/dev/null || return 0
		sleep 0.1
	done
}

# finish NAME WANT_RC WHY: up to 20 s for the exit (WHY: what ends it, for
# the message if it does not), then check code and TAP.
finish() {
	wait_exit "$1" 20 "$3"
	echo "$1: exit $RC, tap0 $(tap_state); $(grep -a 'seccomp\|does not stop' "$WORK/$1.err" | head -n 1)"
	expect_rc "$1" "$2"
	[ "$(tap_state)" = "down nomaster" ] ||
		{ show_run "$1"; fail "$1: tap0 left $(tap_state)"; }
}

caps() {
	printf '%s %s %s' "$(status_field "/proc/$PID/status" CapEff)" \
		"$(status_field "/proc/$PID/status" CapPrm)" \
		"$(status_field "/proc/$PID/status" NoNewPrivs)"
}

[ "$(tap_state)" = "down nomaster" ] || fail "tap0 starts $(tap_state)"

# The orderly path, and the capabilities while running.
run_halted sigterm
[ "$(tap_state)" = "up master" ] || { show_run sigterm; fail "minivmm did not set tap0 up on br0: $(tap_state)"; }
c=$(caps)
echo "capabilities with a persistent TAP (eff prm nnp): $c"
net_admin=0000000000001000
[ "$c" = "$net_admin $net_admin 1" ] ||
	{ kill -TERM $PID; fail "capabilities kept: $c (want CAP_NET_ADMIN only)"; }
kill -TERM $PID
finish sigterm 7 "after SIGTERM"

# Seccomp traps on each kind of thread.
for cls in main vcpu io; do
	run_halted "trap_$cls" MINIVMM_SECCOMP_SELFTEST=$cls
	finish "trap_$cls" 1 "with MINIVMM_SECCOMP_SELFTEST=$cls"
	grep -q "seccomp: thread $cls made forbidden syscall 41 (socket)" \
		"$WORK/trap_$cls.err" || { show_run "trap_$cls"; fail "trap_$cls: no seccomp line"; }
done

# A vCPU that does not stop.
run_halted stuck MINIVMM_SELFTEST_STUCK_VCPU=1
sleep 1
kill -TERM $PID
finish stuck 1 "after SIGTERM with a stuck vCPU"
grep -q 'vCPU 0 does not stop' "$WORK/stuck.err" || { show_run stuck; fail "stuck: no 'does not stop' line"; }

# Without a TAP nothing is kept at all.
start_halted nocaps
c=$(caps)
echo "capabilities without a TAP (eff prm nnp): $c"
stop_halted nocaps
[ "$c" = "0000000000000000 0000000000000000 1" ] ||
	fail "capabilities kept without a TAP: $c"
echo "PASS: TAPs put back on every exit path; capabilities dropped"
