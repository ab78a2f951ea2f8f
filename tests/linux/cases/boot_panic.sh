#!/bin/bash
# SPDX-License-Identifier: MIT
# A forced kernel panic (sysrq c) with panic=1: the kernel restarts the
# machine after a second and minivmm ends with exit code 3.
. "$(dirname "$0")/../lib.sh"

log=$WORKDIR/panic.log
MVT_PANIC=1 MVT_LOG=$log mvt_boot panic
rc=$?
[ $rc -eq 3 ] || { mvt_show "$log"; mvt_fail "panic: exit code $rc, expected 3"; }
grep -q 'Kernel panic - not syncing' "$log" ||
	{ mvt_show "$log"; mvt_fail "panic: no 'Kernel panic' on the console"; }
grep -q 'survived_panic' "$log" &&
	{ mvt_show "$log"; mvt_fail "panic: guest went on after the panic"; }
echo "panic=1 + sysrq c: exit code 3"
