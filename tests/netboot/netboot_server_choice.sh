#!/bin/bash
# SPDX-License-Identifier: MIT
# Which TFTP server: PXELINUX's order, siaddr (next-server), else the
# DHCP server id (option 54).  Option 66 is not used: here it names an
# address where nobody answers, and the boot must still come from siaddr.
# timeout: 120
. "$(dirname "$0")/common.bash"

cp "$BOOTINFO_BZIMAGE" "$TFTP/bzImage"
dnsmasq_start --dhcp-boot=bzImage,,"$SERVER_IP" \
	--dhcp-option-force=66,10.77.0.99
netboot_run choice
expect_rc choice 0
expect_console "TFTP server $SERVER_IP,"
expect_eq cmdline "$(bi cmdline)" "reboot=acpi"
echo "PASS: siaddr wins over option 66"
