#!/bin/bash
# SPDX-License-Identifier: MIT
# A stable machine identity: the UUID (DHCP option 97, the first
# pxelinux.cfg/<uuid> name) comes from the MAC, so a per-machine config
# file named by it matches on every boot.  -uuid UUID replaces it.
# timeout: 120
. "$(dirname "$0")/common.bash"

UUID=6d696e69-766d-8000-8000-${MAC//:/}
cp "$BOOTINFO_BZIMAGE" "$TFTP/vmlinuz"
touch "$TFTP/pxelinux.0"
printf 'DEFAULT wrong\nLABEL wrong\n  KERNEL does-not-exist\n' \
	>"$TFTP/pxelinux.cfg/default"
printf 'DEFAULT u\nLABEL u\n  KERNEL vmlinuz\n  APPEND mvt=uuid\n' \
	>"$TFTP/pxelinux.cfg/$UUID"
dnsmasq_start --dhcp-boot=pxelinux.0
for run in uuid1 uuid2; do
	netboot_run $run
	expect_rc $run 0
	expect_console "TFTP: pxelinux.cfg/$UUID:"
	expect_eq cmdline "$(bi cmdline)" "BOOT_IMAGE=vmlinuz mvt=uuid reboot=acpi"
done
# -uuid (as QEMU's) replaces it
U2=11111111-2222-3333-4444-555555555555
printf 'DEFAULT v\nLABEL v\n  KERNEL vmlinuz\n  APPEND mvt=given\n' \
	>"$TFTP/pxelinux.cfg/$U2"
netboot_run uuid3 -uuid "$U2"
expect_rc uuid3 0
expect_console "TFTP: pxelinux.cfg/$U2:"
expect_eq cmdline "$(bi cmdline)" "BOOT_IMAGE=vmlinuz mvt=given reboot=acpi"
echo "PASS: the UUID is derived from the MAC, the same on both boots; -uuid sets it"
