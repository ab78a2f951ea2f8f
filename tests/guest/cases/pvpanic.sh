#!/bin/bash
# SPDX-License-Identifier: MIT
# A guest that reports a panic through the pvpanic port ends minivmm at
# once with exit code 8 (then halts: without pvpanic it would hang), and
# the DSDT describes the port with _HID QEMU0001 (Linux's pvpanic driver).
# timeout: 120
. "$(dirname "$0")/common.bash"

bootinfo_run pvpanic -m 128 -append "console=ttyS0 bootinfo.action=pvpanic"
expect_rc pvpanic 8
grep -qx 'BOOTINFO pvpanic.offered=3' "$OUT" ||
	{ show_run pvpanic; fail "the port does not offer PANICKED|CRASH_LOADED"; }
grep -q 'the guest kernel panicked (pvpanic)' "$ERR" ||
	{ show_run pvpanic; fail "no panic line on stderr"; }

"$MINIVMM" -dump-acpi "$WORK/acpi" >/dev/null 2>&1 || fail "-dump-acpi failed"
grep -q QEMU0001 "$WORK/acpi/DSDT.dat" ||
	fail "no QEMU0001 device in the DSDT"
echo "PASS: pvpanic ends the run with 8; DSDT has QEMU0001"
