#!/bin/bash
# SPDX-License-Identifier: MIT
# reboot -f in the guest (Linux' default reboot method chain, which on a
# hardware-reduced ACPI machine without EFI ends in a jump to the real-mode
# reset vector F000:FFF0): minivmm ends with exit code 3 (guest reboot).
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
