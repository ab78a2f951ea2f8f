#!/bin/bash
# SPDX-License-Identifier: MIT
# The e820 map is sane for -m 128 and -m 4096: sorted, no overlaps, low RAM
# below the EBDA, no RAM in the legacy hole (0xA0000-0xFFFFF) or the 32-bit
# MMIO hole (3-4 GiB), RAM above 4 GiB for big guests, the right total, and
# the guest image and the ACPI tables in the right kind of memory.
# timeout: 120
. "$(dirname "$0")/common.bash"

MiB=$((1 << 20))

check_map() {
	local name=$1 mem=$2 a s t prev_end=0 n=0 total top
	while read -r a s t; do
		(( s > 0 )) || fail "$name: empty e820 entry at $a"
		(( a >= prev_end )) || fail "$name: e820 entry $a overlaps or is out of order"
		prev_end=$((a + s))
		n=$((n + 1))
	done < <(bi_all e820)
	(( n > 0 )) || fail "$name: no e820 entries"
	expect_eq "$name: e820.entries" "$(bi e820.entries)" "$n"
	is_ram 0 0x9f000 || fail "$name: no RAM at 0 (low memory)"
	! overlaps_ram 0x9fc00 0x100000 || fail "$name: RAM in 0x9fc00-0xfffff"
	! overlaps_ram 0xc0000000 0x100000000 || fail "$name: RAM in the 3-4 GiB MMIO hole"
	is_ram "$(bi load)" "$(image_init_size)" || fail "$name: the guest image is not in RAM"
	total=$(bi ram.total)
	(( total <= mem * MiB && total >= (mem - 1) * MiB )) ||
		fail "$name: ram.total=$total for -m $mem"
	top=$(bi ram.top)
	if (( mem * MiB <= 0xc0000000 )); then
		expect_eq "$name: ram.top" "$((top))" "$((mem * MiB))"
	else
		expect_eq "$name: ram.top" "$((top))" "$((mem * MiB + 0x40000000))"
		is_ram 0x100000000 $((mem * MiB - 0xc0000000)) ||
			fail "$name: no RAM entry from 4 GiB up"
	fi
	# ACPI tables must not sit in RAM the OS may reuse.
	local rsdp
	rsdp=$(bi acpi.rsdp)
	(( rsdp != 0 )) || fail "$name: no RSDP"
	! overlaps_ram "$rsdp" $((rsdp + 36)) || fail "$name: the RSDP lies in e820 RAM"
	while read -r sig addr len rest; do
		addr=${addr#addr=}
		len=${len#len=}
		! overlaps_ram "$addr" $((addr + len)) || fail "$name: ACPI $sig lies in e820 RAM"
	done < <(bi_all acpi.table)
}

bootinfo_run m128 -m 128 -append "console=ttyS0"
expect_rc m128 0
expect_complete m128
check_map m128 128
echo "e820 for -m 128:"; bi_all e820

bootinfo_run m4096 -m 4096 -append "console=ttyS0"
expect_rc m4096 0
expect_complete m4096
check_map m4096 4096
echo "e820 for -m 4096:"; bi_all e820
echo "PASS: e820 sane for -m 128 and -m 4096"
