#!/bin/bash
# SPDX-License-Identifier: MIT
# DHCP options 209 (config file) and 210 (path prefix) override the
# search; the CONFIG directive of the chosen label loads another config.
# timeout: 120
. "$(dirname "$0")/common.bash"

mkdir -p "$TFTP/pfx/cfgs"
cp "$BOOTINFO_BZIMAGE" "$TFTP/pfx/vmlinuz"
cat >"$TFTP/pfx/cfgs/first.cfg" <<CFG
DEFAULT hop
LABEL hop
  CONFIG cfgs/second.cfg
CFG
cat >"$TFTP/pfx/cfgs/second.cfg" <<CFG
ONTIMEOUT final from=ontimeout
LABEL final
  KERNEL vmlinuz
  APPEND console=ttyS0
CFG
dnsmasq_start --dhcp-boot=pxelinux.0 \
	--dhcp-option-force=209,cfgs/first.cfg --dhcp-option-force=210,pfx/
netboot_run options
expect_rc options 0
expect_console "TFTP: pfx/cfgs/first.cfg"
expect_console "TFTP: pfx/cfgs/second.cfg"
expect_eq cmdline "$(bi cmdline)" "BOOT_IMAGE=vmlinuz console=ttyS0 from=ontimeout reboot=acpi"
echo "PASS: options 209/210, CONFIG, ONTIMEOUT with extra options"
