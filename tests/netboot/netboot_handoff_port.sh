#!/bin/bash
# SPDX-License-Identifier: MIT
# The firmware status port (0x511) closes at the kernel hand-off: a
# netbooted kernel that writes "LOCALBOOT" and "netboot failed" there
# (the hostile guest, hostile.mode=forge) cannot make minivmm exit 6 or
# 5; it powers off and minivmm exits 0.  (Without -netboot the port does
# not exist at all: tests/guest/hostile/cases/hostile_guest.sh.)
# timeout: 120
. "$(dirname "$0")/common.bash"

HOSTILE=$(dirname "$BOOTINFO_BZIMAGE")/../hostile/hostile.bzImage
[ -f "$HOSTILE" ] || fail "no $HOSTILE"
cp "$HOSTILE" "$TFTP/vmlinuz"
touch "$TFTP/pxelinux.0"
cat >"$TFTP/pxelinux.cfg/default" <<CFG
DEFAULT forge
LABEL forge
  KERNEL vmlinuz
  APPEND hostile.mode=forge
CFG
dnsmasq_start --dhcp-boot=pxelinux.0
netboot_run forge
grep -q 'HOSTILE forged' "$WORK/forge.out" || fail "the netbooted guest did not run (see $WORK/forge.out)"
expect_rc forge 0
echo "PASS: a netbooted kernel cannot forge the firmware's verdict"
