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

# The QMP view: GUEST_PANICKED (action poweroff), then SHUTDOWN
# guest-panic, QEMU's events for its default -action panic=shutdown.
sock=$WORK/panic.qmp
timeout -k 5 60 "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial none -m 128 -S \
	-append "bootinfo.action=pvpanic" -qmp "unix:$sock,server=on,wait=off" \
	</dev/null >"$WORK/qmp.out" 2>"$WORK/qmp.err" &
pid=$!
python3 "$(dirname "$0")/../qmp_session.py" --panic "$sock" ||
	{ kill "$pid"; cat "$WORK/qmp.err" >&2; fail "QMP events of a panic"; }
wait "$pid"
rc=$?
[ "$rc" = 8 ] || fail "exit code $rc with QMP, expected 8"

"$MINIVMM" -dump-acpi "$WORK/acpi" >/dev/null 2>&1 || fail "-dump-acpi failed"
grep -q QEMU0001 "$WORK/acpi/DSDT.dat" ||
	fail "no QEMU0001 device in the DSDT"
echo "PASS: pvpanic ends the run with 8, GUEST_PANICKED then SHUTDOWN; DSDT has QEMU0001"
