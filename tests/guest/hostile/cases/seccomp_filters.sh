#!/bin/bash
# SPDX-License-Identifier: MIT
# seccomp: every thread of a running minivmm is filtered, a normal run is
# unaffected, and a forbidden call (MINIVMM_SECCOMP_SELFTEST=1 makes the
# main thread call socket()) ends the run with exit 1 and one line naming
# the thread class and the call; so does a tgkill to another process
# (MINIVMM_SECCOMP_SELFTEST=tgkill).  -no-seccomp turns it all off.
# timeout: 120
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM BOOTINFO_BZIMAGE
skip_unless_linked "made forbidden syscall" "seccomp"
if grep -aqF "AddressSanitizer" "$MINIVMM"; then
	echo "SKIP: sanitizer build, seccomp is off by design (docs/security.md)"
	exit 77
fi
truncate -s 1M "$WORK/disk.img"

bootinfo_run plain -drive file="$WORK/disk.img"
expect_rc plain 0
expect_complete plain

MINIVMM_SECCOMP_SELFTEST=1 bootinfo_run selftest -drive file="$WORK/disk.img"
expect_rc selftest 1
want="minivmm: seccomp: thread main made forbidden syscall 41 (socket)"
if ! grep -qxF "$want" "$ERR"; then
	show_run selftest
	fail "selftest: stderr lacks '$want'"
fi

# tgkill only within minivmm's own thread group: signal 0 to init traps.
MINIVMM_SECCOMP_SELFTEST=tgkill bootinfo_run tgkill -drive file="$WORK/disk.img"
expect_rc tgkill 1
want="minivmm: seccomp: thread main made forbidden syscall 234 (tgkill)"
if ! grep -qxF "$want" "$ERR"; then
	show_run tgkill
	fail "tgkill: stderr lacks '$want'"
fi

MINIVMM_SECCOMP_SELFTEST=1 bootinfo_run off -no-seccomp -drive file="$WORK/disk.img"
expect_rc off 0
expect_complete off

# Each thread (main, vCPU, disk I/O) carries a filter.
start_halted halted -drive file="$WORK/disk.img"
n=0
for st in /proc/$PID/task/*/status; do
	name=$(status_field "$st" Name)
	# KVM's kernel workers (kvm-nx-lpage-recovery) never run user code.
	[[ $name == kvm-* ]] && continue
	mode=$(status_field "$st" Seccomp)
	nf=$(status_field "$st" Seccomp_filters)
	echo "thread $name: Seccomp=$mode filters=${nf:-?}"
	[ "$mode" = 2 ] || { stop_halted halted; fail "thread $name is not filtered"; }
	n=$((n + 1))
done
stop_halted halted
(( n >= 3 )) || fail "expected at least 3 threads, saw $n"
echo "PASS: seccomp filters on $n threads, selftest killed with the right line"
