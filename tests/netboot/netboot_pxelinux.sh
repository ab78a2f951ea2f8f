#!/bin/bash
# SPDX-License-Identifier: MIT
# PXELINUX flow: the MAC-named config wins over "default"; KERNEL, INITRD,
# APPEND and IPAPPEND 3 give the exact command line; the initrd arrives
# intact; the guest runs and powers off (exit 0).  With -trace-boot the
# firmware marks its phases on the debug port, one mark per TFTP file.
# timeout: 120
. "$(dirname "$0")/common.bash"

cp "$BOOTINFO_BZIMAGE" "$TFTP/vmlinuz"
random_file "$TFTP/initrd.img" 123457
touch "$TFTP/pxelinux.0"
cat >"$TFTP/pxelinux.cfg/default" <<CFG
DEFAULT wrong
LABEL wrong
  KERNEL does-not-exist
CFG
cat >"$TFTP/pxelinux.cfg/$MAC_DASHES" <<CFG
# minivmm netboot test
prompt 0
timeout 0
default vesamenu.c32
label other
  kernel does-not-exist
label test
  menu label ^Test
  menu default
  kernel vmlinuz
  initrd initrd.img
  append console=ttyS0 mvt=pxelinux
  ipappend 3
CFG
dnsmasq_start --dhcp-boot=pxelinux.0
netboot_run pxelinux -trace-boot
expect_rc pxelinux 0
expect_console "DHCP: address $CLIENT_IP"
expect_console "TFTP: pxelinux.cfg/$MAC_DASHES"
expect_eq cmdline "$(bi cmdline)" \
	"BOOT_IMAGE=vmlinuz initrd=initrd.img console=ttyS0 mvt=pxelinux ip=$CLIENT_IP:$SERVER_IP:$SERVER_IP:255.255.255.0 BOOTIF=$MAC_DASHES reboot=acpi"
expect_initrd 123457 "$TFTP/initrd.img"
# entry, NIC, DHCP, config file, PXE done, kernel, initrd, kernel entry;
# then the guest's own (entry, action)
marks=$(sed -n 's/.*trace .* ms  guest marker \([0-9]*\)$/\1/p' \
	"$WORK/pxelinux.err" | tr '\n' ' ')
expect_eq trace.marks "$marks" "16 17 18 20 19 20 20 21 1 2 "
echo "PASS: pxelinux config by MAC, command line and initrd as configured"
