#!/bin/bash
# SPDX-License-Identifier: MIT
# The same guest boots in QEMU through its PVH entry (TCG, so any host),
# for side-by-side comparisons with minivmm: microvm (hardware-reduced
# ACPI) and q35 (PM1a_CNT power-off).  Skipped without QEMU.
# timeout: 120
. "$(dirname "$0")/common.bash"
need BOOTINFO_ELF BOOTINFO_SUM
[ -n "${QEMU:-}" ] && command -v "$QEMU" >/dev/null || { echo "SKIP: no QEMU"; exit 77; }

head -c 4099 /dev/urandom >"$WORK/initrd"
want=$("$BOOTINFO_SUM" "$WORK/initrd")
cmd='console=ttyS0 quoted="a b  c" bootinfo.action=poweroff'
for machine in microvm q35; do
	t0=$(date +%s%N)
	timeout -k 5 60 "$QEMU" -M $machine -accel tcg -m 256 -smp 2 \
		-display none -serial stdio -no-reboot -nodefaults \
		-kernel "$BOOTINFO_ELF" -initrd "$WORK/initrd" -append "$cmd" \
		</dev/null >"$WORK/$machine.raw" 2>"$WORK/$machine.err"
	RC=$?
	t1=$(date +%s%N)
	echo "run qemu $machine: exit $RC in $(((t1 - t0) / 1000000)) ms"
	tr -d '\r' <"$WORK/$machine.raw" >"$WORK/$machine.out"
	OUT=$WORK/$machine.out
	ERR=$WORK/$machine.err
	expect_rc $machine 0
	expect_complete $machine
	expect_eq "$machine: boot" "$(bi boot)" pvh
	expect_eq "$machine: cmdline" "$(bi cmdline)" "$cmd"
	expect_eq "$machine: initrd.sum" "$(bi initrd.sum)" "$want"
	expect_eq "$machine: cpus" "$(bi cpus)" 2
	expect_eq "$machine: acpi.bad" "$(bi acpi.bad)" 0
	grep -q 'did not take effect' "$OUT" && fail "$machine: poweroff had no effect"
done
echo "PASS: PVH boot under QEMU microvm and q35"
