#!/bin/bash
# SPDX-License-Identifier: MIT
# -kernel takes an ELF: the boot-info guest's ELF with its PVH note boots
# through PVH (32-bit entry, hvm_start_info with command line, initrd
# module, memory map and RSDP); the same ELF without the note boots at its
# 64-bit entry with a zero page.  Broken ELFs are one error line, exit 1.
# timeout: 240
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_ELF BOOTINFO_SUM
NOPVH=${BOOTINFO_NOPVH_ELF:-${BOOTINFO_ELF%.elf}-nopvh.elf}
[ -f "$NOPVH" ] || fail "$NOPVH is missing (built with bootinfo)"

head -c 4099 /dev/urandom >"$WORK/initrd"
want=$("$BOOTINFO_SUM" "$WORK/initrd") || fail "bootinfo_sum failed"
cmd='console=ttyS0 quoted="a b  c"'

# elf_run NAME IMAGE ARGS...: like bootinfo_run, with another image.
elf_run() {
	local name=$1 image=$2
	shift 2
	BOOTINFO_BZIMAGE=$image bootinfo_run "$name" "$@"
}

check_boot() {
	local name=$1 image=$2 kind=$3 addr
	elf_run "$name" "$image" -m 256 -smp 2 -initrd "$WORK/initrd" -append "$cmd"
	expect_rc "$name" 0
	expect_complete "$name"
	expect_eq "$name: boot" "$(bi boot)" "$kind"
	expect_eq "$name: cmdline" "$(bi cmdline)" "$cmd reboot=acpi"
	expect_eq "$name: initrd.size" "$(bi initrd.size)" 4099
	expect_eq "$name: initrd.sum" "$(bi initrd.sum)" "$want"
	expect_eq "$name: cpus" "$(bi cpus)" 2
	expect_eq "$name: acpi.bad" "$(bi acpi.bad)" 0
	[ -n "$(bi_all e820)" ] || fail "$name: no memory map"
	addr=$(bi initrd.addr)
	is_ram "$addr" 4099 || fail "$name: initrd at $addr is not in RAM"
	(( addr >= 0x1000000 + $(image_init_size) || addr + 4099 <= 0xfffc00 )) ||
		fail "$name: initrd at $addr overlaps the kernel"
	is_ram $((0x100000)) $((0x1000000)) || fail "$name: RAM at 1 MiB missing from the map"
	echo "ok: $name boots via $kind"
}
check_boot pvh "$BOOTINFO_ELF" pvh
check_boot nopvh "$NOPVH" linux64

# bad_elf NAME PATTERN IMAGE [ARGS...]: exit 1 and one matching error line
# (ARGS default to -m 256).
bad_elf() {
	local name=$1 pattern=$2 image=$3
	shift 3
	[ $# -gt 0 ] || set -- -m 256
	elf_run "$name" "$image" "$@"
	expect_rc "$name" 1
	grep -q "^minivmm: kernel '.*'.*$pattern" "$ERR" || {
		show_run "$name"
		fail "$name: no error line matching '$pattern'"
	}
	(( $(wc -l <"$ERR") == 1 )) || { show_run "$name"; fail "$name: more than one line"; }
}
# patch FILE OFFSET HEXBYTES: overwrite bytes in place.
patch() {
	printf "$(echo "$3" | sed 's/../\\x&/g')" |
		dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
head -c 100 "$BOOTINFO_ELF" >"$WORK/short.elf"
bad_elf truncated "truncated" "$WORK/short.elf"
cp "$BOOTINFO_ELF" "$WORK/class32.elf"
patch "$WORK/class32.elf" 4 01
bad_elf class32 "not a 64-bit little-endian ELF" "$WORK/class32.elf"
# The first program header (e_phoff 64) is the PT_LOAD; p_paddr at +24.
phoff=$(od -An -t u8 -j 32 -N 8 "$BOOTINFO_ELF" | tr -d ' ')
cp "$NOPVH" "$WORK/low.elf"
patch "$WORK/low.elf" $((phoff + 24)) 0000080000000000	# p_paddr 0x80000
patch "$WORK/low.elf" 24 0006080000000000		# e_entry inside it
bad_elf low "overlaps minivmm's boot tables below 1 MiB" "$WORK/low.elf"
cp "$NOPVH" "$WORK/huge.elf"
patch "$WORK/huge.elf" $((phoff + 40)) 00000000000000f0	# p_memsz
bad_elf wrap "wraps around\|MMIO hole" "$WORK/huge.elf"
bad_elf small "needs 17 MiB of RAM" "$NOPVH" -m 16
cp "$NOPVH" "$WORK/entry.elf"
patch "$WORK/entry.elf" 24 0000000000000000	# e_entry
bad_elf entry "entry point is outside the loaded segments" "$WORK/entry.elf"
echo "PASS: PVH and 64-bit ELF boot; broken ELFs are clear errors"
