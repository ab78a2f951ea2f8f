#!/bin/bash
# SPDX-License-Identifier: MIT
# Opt-in: the real Debian 12 netboot installer tree (set
# MINIVMM_DI_NETBOOT_DIR to .../usr/lib/debian-installer/images/12/amd64
# extracted from debian-installer-12-netboot-amd64).  The firmware must
# walk its PXELINUX configs (vesamenu DEFAULT, nested INCLUDEs, missing
# gtk.cfg), pick "install", fetch the 8 MB kernel and 40 MB initrd and
# start the kernel.  Whether that kernel then runs is not checked (it
# cannot reach user space on emulated KVMs).
# timeout: 600
. "$(dirname "$0")/common.bash"
DI=${MINIVMM_DI_NETBOOT_DIR:-}
[ -n "$DI" ] || skip "MINIVMM_DI_NETBOOT_DIR not set"
ROOT=$DI/text
[ -f "$ROOT/debian-installer/amd64/linux" ] || skip "no installer tree at $ROOT"

rmdir "$TFTP/pxelinux.cfg" "$TFTP" 2>/dev/null
ln -s "$(readlink -f "$ROOT")" "$TFTP"
dnsmasq_start --dhcp-boot=pxelinux.0
LAST=di
ip netns exec "$NS" "$MINIVMM" -netboot -tap "tap0,bridge=br0,mac=$MAC" \
	-m 1024 -serial stdio </dev/null >"$WORK/di.out" 2>"$WORK/di.err" &
VM=$!
for _ in $(seq 5400); do
	grep -aq "Linux: starting the kernel" "$WORK/di.out" && break
	grep -aq "^netboot: " "$WORK/di.out" && break
	kill -0 "$VM" 2>/dev/null || break
	sleep 0.1
done
kill -KILL "$VM" 2>/dev/null
wait "$VM" 2>/dev/null
expect_console "PXE: label 'install': kernel debian-installer/amd64/linux, initrd debian-installer/amd64/initrd.gz"
expect_console "TFTP: debian-installer/amd64/linux: $(stat -c %s "$ROOT/debian-installer/amd64/linux") bytes"
expect_console "TFTP: debian-installer/amd64/initrd.gz: $(stat -c %s "$ROOT/debian-installer/amd64/initrd.gz") bytes"
expect_console "Linux: starting the kernel"
echo "PASS: Debian installer tree: install entry fetched and started"
