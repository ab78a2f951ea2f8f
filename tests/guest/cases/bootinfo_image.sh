#!/bin/bash
# SPDX-License-Identifier: MIT
# The built images themselves: bzImage setup header fields at their boot
# protocol offsets, the PVH note in the ELF, and no SSE/popcnt/crc32 in any
# guest (they end the VM on emulating KVMs such as kvm_pvm).
# timeout: 60
. "$(dirname "$0")/common.bash"
need BOOTINFO_BZIMAGE BOOTINFO_ELF GUEST_DIR OBJDUMP

img=$BOOTINFO_BZIMAGE
u() { od -An -t u"$2" -j $(($1)) -N "$2" "$img" | tr -d ' '; }
x() { od -An -t x1 -j $(($1)) -N "$2" "$img" | tr -d ' '; }

expect_eq "boot_flag" "$(u 0x1fe 2)" $((0xaa55))
expect_eq "header magic" "$(x 0x202 4)" "48647253"
expect_eq "version" "$(u 0x206 2)" $((0x020f))
expect_eq "loadflags LOADED_HIGH" "$(( $(u 0x211 1) & 1 ))" 1
expect_eq "relocatable_kernel" "$(u 0x234 1)" 1
expect_eq "xloadflags XLF_KERNEL_64" "$(( $(u 0x236 2) & 1 ))" 1
expect_eq "pref_address" "$(u 0x258 8)" $((0x1000000))
expect_eq "initrd_addr_max" "$(u 0x22c 4)" $((0x7fffffff))
(( $(u 0x238 4) >= 4096 )) || fail "cmdline_size below 4096"
align=$(u 0x230 4)
(( align && (align & (align - 1)) == 0 )) || fail "kernel_alignment $align"
setup=$((($(u 0x1f1 1) + 1) * 512))
size=$(stat -c %s "$img")
syssize=$(($(u 0x1f4 4) * 16))
(( syssize >= size - setup && syssize < size - setup + 16 )) ||
	fail "syssize*16=$syssize but the protected-mode part is $((size - setup)) bytes"
(( $(u 0x260 4) >= syssize )) || fail "init_size below the image size"
# 64-bit entry at offset 0x200 of the protected-mode part (= pref_address).
entry=$(readelf -sW "$BOOTINFO_ELF" | awk '$NF == "startup_64" { print $2 }')
expect_eq "startup_64 address" "$((16#${entry:-0}))" $((0x1000200))
kio=$(u 0x268 4)
expect_eq "kernel_info magic" "$(x $((setup + kio)) 4)" "4c546f50"

readelf -n "$BOOTINFO_ELF" | grep -q 'Xen.*0x00000004' ||
	fail "no Xen PVH note in $BOOTINFO_ELF"

n=0
while IFS= read -r elf; do
	n=$((n + 1))
	bad=$("$OBJDUMP" -d "$elf" | grep -E '%[xyz]mm|\b(popcnt|crc32[bwlq]?|ldmxcsr|fxsave)\b' | head -5)
	[ -z "$bad" ] || fail "$elf contains instructions kvm_pvm cannot emulate:
$bad"
done < <(find "$GUEST_DIR" -name '*.elf' -type f)
(( n > 0 )) || fail "no guest ELF under $GUEST_DIR"
echo "PASS: bzImage header sane, PVH note present, $n guest ELF(s) free of SSE/popcnt/crc32"
