#!/bin/bash
# SPDX-License-Identifier: MIT
# A kernel that is not relocatable must run at its fixed address, 1 MiB
# (code32_start/pref_address, boot protocol).  The firmware lives below
# 640 KiB, so such a kernel netboots as it boots directly: the boot-info
# guest, patched to relocatable_kernel = 0 and 1 MiB, reports where it ran.
# timeout: 120
. "$(dirname "$0")/common.bash"

# patch_le FILE OFFSET BYTES...: write bytes at a setup-header offset.
patch_bytes() {
	local file=$1 off=$2
	shift 2
	printf "$(printf '\\x%02x' "$@")" |
		dd of="$file" bs=1 seek=$((off)) conv=notrunc status=none
}
K=$TFTP/fixed.bzImage
cp "$BOOTINFO_BZIMAGE" "$K"
patch_bytes "$K" 0x214 0x00 0x00 0x10 0x00	# code32_start = 1 MiB
patch_bytes "$K" 0x234 0x00			# relocatable_kernel = 0
patch_bytes "$K" 0x258 0x00 0x00 0x10 0x00 0x00 0x00 0x00 0x00 # pref_address
random_file "$TFTP/initrd.img" 5000
touch "$TFTP/pxelinux.0"
printf 'DEFAULT fixed\nLABEL fixed\n  KERNEL fixed.bzImage\n  INITRD initrd.img\n  APPEND mvt=fixed\n' \
	>"$TFTP/pxelinux.cfg/default"

dnsmasq_start --dhcp-boot=pxelinux.0
netboot_run fixed
expect_rc fixed 0
expect_console "Linux: boot protocol 2.15, kernel at 100000,"
expect_eq load "$(bi load)" 0x100000
expect_eq cmdline "$(bi cmdline)" \
	"BOOT_IMAGE=fixed.bzImage initrd=initrd.img mvt=fixed reboot=acpi"
expect_eq initrd.size "$(bi initrd.size)" 5000
echo "PASS: a non-relocatable kernel netboots at 1 MiB"
