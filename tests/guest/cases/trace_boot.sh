#!/bin/bash
# SPDX-License-Identifier: MIT
# -trace-boot: every phase is reported, in order, with the guest's own
# markers (PORT_DEBUG_TRACE) and the VMM's CPU time - with the seccomp
# filters on, so the exit path's system calls are covered too.
# timeout: 60
. "$(dirname "$0")/common.bash"

bootinfo_run trace -m 128 -trace-boot -append "bootinfo.action=poweroff"
expect_rc trace 0
expect_complete trace
phases=$(sed -n 's/^minivmm: trace *[0-9.]* ms  //p' "$ERR")
want="KVM ready
images loaded
first KVM_RUN
guest marker 1
first serial byte
guest marker 2
guest power-off"
got=$(printf '%s\n' "$phases" | grep -v '^exit; ')
[ "$got" = "$want" ] || { printf 'want:\n%s\ngot:\n%s\n' "$want" "$got" >&2; fail "trace phases differ"; }
grep -q '^minivmm: trace .* exit; VMM CPU time user [0-9.]* ms, system [0-9.]* ms$' "$ERR" ||
	fail "no CPU time line at exit"
grep -q seccomp "$ERR" && fail "seccomp refused a call on the traced exit path"
echo "PASS: -trace-boot phases in order, CPU time reported, filters on"
