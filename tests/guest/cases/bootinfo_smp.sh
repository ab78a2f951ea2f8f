#!/bin/bash
# SPDX-License-Identifier: MIT
# The MADT lists exactly -smp N enabled CPUs, with distinct APIC ids.
# timeout: 240
. "$(dirname "$0")/common.bash"

for n in 1 2 4 8; do
	bootinfo_run smp$n -m 128 -smp $n -append "console=ttyS0"
	expect_rc smp$n 0
	expect_complete smp$n
	expect_eq "-smp $n: cpus" "$(bi cpus)" "$n"
	ids=$( (bi_all madt.lapic | sed -n 's/.*apic_id=\([0-9]*\) flags=0x[0-9a-f]*[13]$/\1/p'
		bi_all madt.x2apic | sed -n 's/^id=\([0-9]*\).*/\1/p') | sort -u | wc -l)
	expect_eq "-smp $n: distinct enabled APIC ids" "$ids" "$n"
done
echo "PASS: MADT CPU count equals -smp for 1, 2, 4, 8"
