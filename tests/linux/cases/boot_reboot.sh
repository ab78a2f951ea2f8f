#!/bin/bash
# SPDX-License-Identifier: MIT
# reboot -f in the guest with Linux's default reboot method (minivmm adds
# reboot=acpi: on a hardware-reduced ACPI machine without EFI the kernel
# would otherwise pick EFI and hang): minivmm ends with exit code 3.
. "$(dirname "$0")/../lib.sh"

log=$WORKDIR/reboot.log
MVT_LOG=$log mvt_boot reboot
rc=$?
[ $rc -eq 3 ] || { mvt_show "$log"; mvt_fail "reboot: exit code $rc, expected 3"; }
grep -q '^MVT rebooting=1' <(tr -d '\r' <"$log") ||
	{ mvt_show "$log"; mvt_fail "reboot: guest script never ran"; }
grep -q 'survived_reboot' "$log" &&
	{ mvt_show "$log"; mvt_fail "reboot: guest went on after reboot -f"; }
# The last line before the reset arrives whole (see boot_poweroff).
tr -d '\r' <"$log" | grep -qE '(^|\] )reboot: Restarting system$' ||
	{ mvt_show "$log"; mvt_fail "the guest's last line 'reboot: Restarting system' is missing or cut"; }
echo "reboot -f: exit code 3"
