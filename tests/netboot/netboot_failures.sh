#!/bin/bash
# SPDX-License-Identifier: MIT
# Failures end with a reason on the console and minivmm's documented exit
# codes: LOCALBOOT -> 6, missing kernel -> 5, a kernel that is not a
# bzImage -> 5, a COM32-only config -> 5, no PXELINUX config -> 5.  The
# final line of a failed fetch names the file.
# timeout: 150
. "$(dirname "$0")/common.bash"

touch "$TFTP/pxelinux.0"
dnsmasq_start --dhcp-boot=pxelinux.0

printf 'DEFAULT local\nLABEL local\n  LOCALBOOT 0\n' >"$TFTP/pxelinux.cfg/default"
netboot_run localboot
expect_rc localboot 6
expect_console "LOCALBOOT"

printf 'DEFAULT gone\nLABEL gone\n  KERNEL missing-kernel\n' >"$TFTP/pxelinux.cfg/default"
netboot_run missing
expect_rc missing 5
expect_console "TFTP: missing-kernel:"
expect_console "netboot: Linux: missing-kernel: "

random_file "$TFTP/garbage" 5000
printf 'DEFAULT g\nLABEL g\n  KERNEL garbage\n' >"$TFTP/pxelinux.cfg/default"
netboot_run garbage
expect_rc garbage 5
expect_console "not a bzImage"

printf 'DEFAULT menu.c32\nLABEL m\n  KERNEL menu.c32\n' >"$TFTP/pxelinux.cfg/default"
netboot_run com32
expect_rc com32 5
expect_console "COM32"

rm -f "$TFTP/pxelinux.cfg/default"
netboot_run nocfg
expect_rc nocfg 5
expect_console "no PXELINUX config file found"
echo "PASS: LOCALBOOT exit 6; missing kernel, not a bzImage, COM32, no config exit 5"
