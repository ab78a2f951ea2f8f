#!/bin/bash
# SPDX-License-Identifier: MIT
# reboot=bios: Linux jumps to the real-mode reset vector F000:FFF0, where
# minivmm keeps a stub that writes the ACPI reset register -> exit code 3
# (without it the guest would hang there).
. "$(dirname "$0")/../lib.sh"

log=$WORKDIR/reboot_bios.log
MVT_LOG=$log MVT_SMP=1 MVT_APPEND="reboot=bios" mvt_boot reboot
rc=$?
[ $rc -eq 3 ] || { mvt_show "$log"; mvt_fail "reboot=bios: exit code $rc, expected 3"; }
grep -q '^MVT rebooting=1' <(tr -d '\r' <"$log") ||
	{ mvt_show "$log"; mvt_fail "reboot=bios: guest script never ran"; }
echo "reboot=bios via the reset vector: exit code 3"
