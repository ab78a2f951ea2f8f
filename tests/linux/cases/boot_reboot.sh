#!/bin/bash
# SPDX-License-Identifier: MIT
# reboot -f in the guest: minivmm ends with exit code 3 (guest reboot),
# and a forced kernel panic with panic=1 ends the same way.
. "$(dirname "$0")/../lib.sh"

log=$WORKDIR/reboot.log
MVT_LOG=$log mvt_boot reboot
rc=$?
[ $rc -eq 3 ] || { mvt_show "$log"; mvt_fail "reboot: exit code $rc, expected 3"; }
grep -q '^MVT rebooting=1' <(tr -d '\r' <"$log") ||
	{ mvt_show "$log"; mvt_fail "reboot: guest script never ran"; }
grep -q 'survived_reboot' "$log" &&
	{ mvt_show "$log"; mvt_fail "reboot: guest went on after reboot -f"; }
echo "reboot -f: exit code 3"

log=$WORKDIR/panic.log
MVT_PANIC=1 MVT_LOG=$log mvt_boot panic
rc=$?
[ $rc -eq 3 ] || { mvt_show "$log"; mvt_fail "panic: exit code $rc, expected 3"; }
grep -q 'Kernel panic' "$log" ||
	{ mvt_show "$log"; mvt_fail "panic: no 'Kernel panic' on the console"; }
grep -q 'survived_panic' "$log" &&
	{ mvt_show "$log"; mvt_fail "panic: guest went on after the panic"; }
echo "panic=1 + sysrq c: exit code 3"
