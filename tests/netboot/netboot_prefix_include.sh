#!/bin/bash
# SPDX-License-Identifier: MIT
# Boot file in a directory: its directory is the path prefix.  The config
# is found under the hex IP name, INCLUDEs a file that includes itself
# (bounded) and holds the MENU DEFAULT label, which the menu (UI, no
# DEFAULT) boots; its INITRD is a list of two files loaded back to back
# (4-byte aligned).
# timeout: 120
. "$(dirname "$0")/common.bash"

mkdir -p "$TFTP/boot/pxelinux.cfg"
cp "$BOOTINFO_BZIMAGE" "$TFTP/boot/kernel.bin"
random_file "$TFTP/boot/a.img" 5001
random_file "$TFTP/boot/b.img" 3000
touch "$TFTP/boot/pxelinux.0"
cat >"$TFTP/boot/pxelinux.cfg/$CLIENT_HEX" <<CFG
UI menu.c32
LABEL first
  KERNEL does-not-exist
INCLUDE menu.cfg
CFG
cat >"$TFTP/boot/menu.cfg" <<CFG
LABEL chosen
  MENU DEFAULT
  LINUX kernel.bin
  INITRD a.img,b.img
  APPEND -
INCLUDE menu.cfg
CFG
dnsmasq_start --dhcp-boot=boot/pxelinux.0
netboot_run prefix
expect_rc prefix 0
expect_console "TFTP: boot/pxelinux.cfg/$CLIENT_HEX"
expect_eq cmdline "$(bi cmdline)" "BOOT_IMAGE=kernel.bin initrd=a.img,b.img reboot=acpi"
{ cat "$TFTP/boot/a.img"; head -c 3 /dev/zero; cat "$TFTP/boot/b.img"; } >"$WORK/both"
expect_initrd 8004 "$WORK/both"
echo "PASS: path prefix, hex-IP config, bounded INCLUDE, MENU DEFAULT, initrd list"
