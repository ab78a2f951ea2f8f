#!/bin/bash
# SPDX-License-Identifier: MIT
# A boot file that is not PXELINUX is booted as the Linux kernel itself.
# timeout: 120
. "$(dirname "$0")/common.bash"

cp "$BOOTINFO_BZIMAGE" "$TFTP/bzImage"
dnsmasq_start --dhcp-boot=bzImage
netboot_run direct
expect_rc direct 0
expect_console "PXE: booting bzImage as a Linux kernel"
expect_eq cmdline "$(bi cmdline)" "reboot=acpi"
echo "PASS: boot file booted directly as a kernel"
