#!/bin/bash
# SPDX-License-Identifier: MIT
# minivmm -dump-acpi DIR writes the tables the guest would get; acpica's
# disassembler reads every one of them without an error, and the DSDT
# describes each virtio-mmio window and the serial port.
# timeout: 60
. "$(dirname "$0")/common.bash"
command -v iasl >/dev/null || fail "iasl not installed (acpica-tools)"

dir=$WORK/acpi
printf 'x' >"$WORK/a.img"
truncate -s 1M "$WORK/a.img"
"$MINIVMM" -dump-acpi "$dir" -smp 4 -drive file="$WORK/a.img" \
	-drive file="$WORK/a.img",readonly=on >"$WORK/dump.out" 2>&1 ||
	{ cat "$WORK/dump.out" >&2; fail "-dump-acpi failed"; }
for t in XSDT FACP DSDT APIC; do
	[ -s "$dir/$t.dat" ] || fail "-dump-acpi wrote no $t.dat"
	(cd "$dir" && iasl -d "$t.dat") >"$WORK/iasl-$t.log" 2>&1 ||
		{ cat "$WORK/iasl-$t.log" >&2; fail "iasl -d $t.dat failed"; }
	grep -qi 'error' "$WORK/iasl-$t.log" &&
		{ cat "$WORK/iasl-$t.log" >&2; fail "iasl reports errors for $t"; }
done
[ "$(grep -c 'LNRO0005' "$dir/DSDT.dsl")" -eq 3 ] ||
	fail "DSDT: want 3 virtio-mmio devices (LNRO0005): 2 disks and the rng"
grep -q 'PNP0501' "$dir/DSDT.dsl" || fail "DSDT: no PNP0501 serial port"
grep -q '_S5' "$dir/DSDT.dsl" || fail "DSDT: no \\_S5"
grep -q '"QEMU0001"' "$dir/DSDT.dsl" || fail "DSDT: no pvpanic device (QEMU0001)"
grep -q 'IO (Decode16,' "$dir/DSDT.dsl" && grep -q '0x0505,' "$dir/DSDT.dsl" ||
	fail "DSDT: the pvpanic device lacks IO 0x505"
[ "$(grep -c 'Processor Local APIC' "$dir/APIC.dsl")" -eq 4 ] ||
	fail "MADT: want 4 local APICs for -smp 4"
echo "PASS: -dump-acpi tables disassemble cleanly (4 CPUs, 3 virtio windows)"
