#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line reaches the guest verbatim: quotes, repeated blanks,
# backslashes, and a line far longer than a stock kernel's 2 KiB.  minivmm
# appends "reboot=acpi" unless the line has a reboot= word (Linux's default
# reboot method on a hardware-reduced ACPI machine without EFI hangs).
# timeout: 120
. "$(dirname "$0")/common.bash"

cmd='console=ttyS0 bootinfo.action=poweroff quoted="a b  c" single='"'x  y'"
cmd+=' back\slash dollar=$HOME star=* semi=; amp=& pct=%s%n brace={} eq==='
i=0
while [ ${#cmd} -lt 4000 ]; do
	cmd+=" long.word.$i=$(printf '%04d' $i)abcdefghijklmnopqrstuvwxyz"
	i=$((i + 1))
done

check_cmdline()
{
	local given=$1 want=$2 got

	bootinfo_run long -m 128 -append "$given"
	expect_rc long 0
	expect_complete long
	expect_eq "cmdline.len" "$(bi cmdline.len)" "${#want}"
	got=$(bi cmdline)
	if [ "$got" != "$want" ]; then
		diff <(printf '%s\n' "$want" | fold -w 80) \
			<(printf '%s\n' "$got" | fold -w 80) >&2
		fail "the command line changed on its way to the guest"
	fi
}
check_cmdline "$cmd" "$cmd reboot=acpi"
# A reboot= word of the user's own: nothing is added.
check_cmdline "$cmd reboot=k" "$cmd reboot=k"
# Without -initrd the boot parameters carry none.
expect_eq "initrd.size without -initrd" "$(bi initrd.size)" 0
expect_eq "boot protocol" "$(bi boot)" linux64
expect_eq "zero page setup header" "$(bi info.ok)" 1

# No -append at all: an empty command line, and the default action.
bootinfo_run none -m 128
expect_rc none 0
expect_complete none
expect_eq "cmdline without -append" "$(bi cmdline)" "reboot=acpi"
expect_eq "default action" "$(bi action)" poweroff
echo "PASS: ${#cmd}-byte command line arrived verbatim; none without -append"
