#!/bin/bash
# SPDX-License-Identifier: MIT
# A hostile (or broken) config tree: every file INCLUDEs itself 40 times.
# Nesting is capped at 8 levels, which alone still means 40^8 fetches; the
# INCLUDE budget (PXE_INCLUDE_FETCHES per parse) stops it after 64, the
# rest of the config still counts, and the label after the INCLUDE boots.
# timeout: 150
. "$(dirname "$0")/common.bash"

cp "$BOOTINFO_BZIMAGE" "$TFTP/vmlinuz"
touch "$TFTP/pxelinux.0"
for _ in $(seq 40); do echo "INCLUDE pxelinux.cfg/wide"; done >"$TFTP/pxelinux.cfg/wide"
printf 'DEFAULT after\nINCLUDE pxelinux.cfg/wide\nLABEL after\n  KERNEL vmlinuz\n  APPEND mvt=budget\n' \
	>"$TFTP/pxelinux.cfg/default"
dnsmasq_start --dhcp-boot=pxelinux.0
NETBOOT_TIMEOUT=${NETBOOT_TIMEOUT:-120} netboot_run budget
expect_rc budget 0
fetches=$(grep -ac "^TFTP: pxelinux.cfg/wide:" "$WORK/budget.out")
[ "$fetches" = 64 ] || fail "pxelinux.cfg/wide fetched $fetches times, expected 64"
expect_console "PXE: INCLUDE budget (64 fetches) spent"
expect_eq cmdline "$(bi cmdline)" "BOOT_IMAGE=vmlinuz mvt=budget reboot=acpi"
echo "PASS: INCLUDE budget: $fetches fetches, then the label after them"
