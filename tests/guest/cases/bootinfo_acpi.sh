#!/bin/bash
# SPDX-License-Identifier: MIT
# Every ACPI table is present with a good checksum; the RSDP is both in
# boot_params and findable by the legacy scan; FADT registers and the MADT
# match boot/layout.h.
# timeout: 90
. "$(dirname "$0")/common.bash"

bootinfo_run acpi -m 256 -smp 2 -append "console=ttyS0"
expect_rc acpi 0
expect_complete acpi

rsdp=$(bi acpi.rsdp)
(( rsdp >= 0xe0000 && rsdp < 0x100000 && rsdp % 16 == 0 )) ||
	fail "RSDP at $rsdp is not findable by the 0xE0000-0xFFFFF scan"
expect_eq "RSDP passed in boot_params.acpi_rsdp_addr" "$(bi acpi.rsdp.source)" hint
expect_eq "bad checksums" "$(bi acpi.bad)" 0
for sig in "$(bi acpi.root)" FACP APIC DSDT; do
	line=$(bi_all acpi.table | grep "^$sig ") || fail "no $sig table"
	case "$line" in
	*csum=ok*) ;;
	*) fail "$sig: $line" ;;
	esac
done
# boot/layout.h: PORT_ACPI_SLEEP_CTL 0x600, _STS 0x601, _RESET 0x602,
# ACPI_RESET_VALUE 0x0E, ACPI_S5_SLP_TYP 5; IOAPIC 0xFEC00000, LAPIC 0xFEE00000.
expect_eq "fadt.hw_reduced" "$(bi fadt.hw_reduced)" 1
expect_eq "fadt.reset_reg_sup" "$(bi fadt.reset_reg_sup)" 1
expect_eq "fadt.sleep_ctl" "$(bi fadt.sleep_ctl)" "io:0x600/8"
expect_eq "fadt.sleep_sts" "$(bi fadt.sleep_sts)" "io:0x601/8"
expect_eq "fadt.reset_reg" "$(bi fadt.reset_reg)" "io:0x602/8"
expect_eq "fadt.reset_value" "$(bi fadt.reset_value)" "0x0e"
expect_eq "dsdt.s5" "$(bi dsdt.s5)" 5
expect_eq "madt.lapic_addr" "$(bi madt.lapic_addr)" "0xfee00000"
expect_eq "madt.ioapics" "$(bi madt.ioapics)" 1
[[ "$(bi madt.ioapic)" =~ ^id=[0-9]+\ addr=0xfec00000\ gsi=0$ ]] ||
	fail "madt.ioapic: $(bi madt.ioapic)"
echo "ACPI tables:"; bi_all acpi.table
echo "PASS: ACPI tables present, checksums good, FADT/MADT as in boot/layout.h"
