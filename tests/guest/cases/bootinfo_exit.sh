#!/bin/bash
# SPDX-License-Identifier: MIT
# minivmm's exit code tells how the guest ended (boot/layout.h):
# ACPI poweroff -> 0, ACPI reset -> 3, i8042 reset -> 3, triple fault -> 4
# with a register dump on stderr.
# timeout: 240
. "$(dirname "$0")/common.bash"

check() {
	local action=$1 want=$2
	bootinfo_run "$action" -m 128 -append "console=ttyS0 bootinfo.action=$action"
	expect_rc "$action" "$want"
	expect_complete "$action"
	if grep -q "did not take effect" "$OUT"; then
		show_run "$action"
		fail "$action: the guest saw no effect of its $action"
	fi
}

check poweroff 0
check reboot 3
check i8042reset 3
check triplefault 4
if ! grep -qiw 'rip' "$ERR" || ! grep -qiw 'rsp' "$ERR"; then
	show_run triplefault
	fail "triplefault: no register dump (RIP, RSP) on stderr"
fi
echo "PASS: poweroff 0, reboot 3, i8042reset 3, triplefault 4 with register dump"
