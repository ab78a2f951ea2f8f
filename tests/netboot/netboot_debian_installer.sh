#!/bin/bash
# SPDX-License-Identifier: MIT
# The real Debian 12 netboot installer tree (package
# debian-installer-12-netboot-amd64, installed by scripts/install-deps.sh;
# MINIVMM_DI_NETBOOT_DIR overrides its .../images/12/amd64 directory).  The
# firmware must walk its PXELINUX configs (vesamenu DEFAULT, nested
# INCLUDEs, missing gtk.cfg), pick "install", fetch the 8 MB kernel and
# 40 MB initrd and start the kernel.  Whether that kernel then runs is not
# checked here (Linux cannot reach user space on emulated KVMs): the test
# stops at the firmware's jump, so it stays a layer-2 case.
# timeout: 600
. "$(dirname "$0")/common.bash"
DI=${MINIVMM_DI_NETBOOT_DIR:-/usr/lib/debian-installer/images/12/amd64}
ROOT=$DI/text
[ -f "$ROOT/debian-installer/amd64/linux" ] ||
	fail "no installer tree at $ROOT: install debian-installer-12-netboot-amd64 (scripts/install-deps.sh)"

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
