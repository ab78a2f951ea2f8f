#!/bin/bash
# SPDX-License-Identifier: MIT
#
# demo.sh - the README's main job, run where a real KVM is (a hardware-KVM
# host, or the nested harness' L1 VM): boot Debian's stock kernel with a
# disk and a NIC on a bridge, then boot it again over the network through
# minivmm's built-in PXE firmware from dnsmasq.  Everything network-related
# lives in a namespace made here and removed at the end.
#
# Environment: MINIVMM, KERNEL, INITRD (tests/guest/test-kit.sh provides
# them when unset).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
NS=mvdemo-$$
WORK=$(mktemp -d /tmp/minivmm-demo.XXXXXX)
DNSMASQ_PID=

if [ -z "${KERNEL:-}" ] || [ -z "${INITRD:-}" ]; then
	eval "$("$REPO/tests/guest/test-kit.sh")"
fi
: "${MINIVMM:?MINIVMM (the minivmm binary) not set}"

demo_cleanup()
{
	[ -n "$DNSMASQ_PID" ] && kill "$DNSMASQ_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap demo_cleanup EXIT

say() { printf '\n\033[1mdemo: %s\033[0m\n' "$*"; }
in_ns() { ip netns exec "$NS" "$@"; }

# A private network: bridge br0 with 10.0.2.1/24, all inside $NS.
ip netns add "$NS"
in_ns ip link set lo up
in_ns ip link add br0 type bridge
in_ns ip addr add 10.0.2.1/24 dev br0
in_ns ip link set br0 up

# A raw disk with a line of text at its start.
printf 'hello from the host, %s\n' "$(date -u +%FT%TZ)" >"$WORK/disk.img"
truncate -s 16M "$WORK/disk.img"

say "1. direct boot: $MINIVMM -kernel $(basename "$KERNEL") -initrd ... -m 512 -smp 2 -drive file=disk.img -tap tap0,bridge=br0"
rc=0
in_ns timeout 300 "$MINIVMM" -kernel "$KERNEL" -initrd "$INITRD" -m 512 -smp 2 \
	-drive file="$WORK/disk.img" -tap tap0,bridge=br0 -stats -trace-boot \
	-append "console=ttyS0 quiet panic=1 mvt.run=demo mvt.ip=10.0.2.15/24 mvt.peer=10.0.2.1" \
	</dev/null || rc=$?
say "guest powered off, minivmm exit code $rc"

# Network boot: dnsmasq serves DHCP and TFTP with a pxelinux.cfg tree.
mkdir -p "$WORK/tftp/pxelinux.cfg"
cp "$KERNEL" "$WORK/tftp/vmlinuz"
cp "$INITRD" "$WORK/tftp/initrd.img"
cat >"$WORK/tftp/pxelinux.cfg/default" <<CFG
DEFAULT menu.c32
PROMPT 0
TIMEOUT 50
MENU TITLE minivmm demo
LABEL rescue
  MENU LABEL Rescue shell
  KERNEL vmlinuz
  APPEND initrd=initrd.img console=ttyS0
LABEL demo
  MENU LABEL Debian kernel, demo script
  MENU DEFAULT
  KERNEL vmlinuz
  APPEND initrd=initrd.img console=ttyS0 quiet panic=1 mvt.run=demo mvt.ip=10.0.2.16/24 mvt.peer=10.0.2.1
CFG
in_ns dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 \
	--bind-interfaces --dhcp-range=10.0.2.50,10.0.2.99,255.255.255.0 \
	--dhcp-boot=pxelinux.0 --enable-tftp --tftp-root="$WORK/tftp" --no-ping \
	--log-facility="$WORK/dnsmasq.log" &
DNSMASQ_PID=$!
sleep 1

say "2. network boot: $MINIVMM -netboot -tap tap1,bridge=br0 -m 512 (dnsmasq: DHCP + TFTP + pxelinux.cfg/default)"
rc2=0
in_ns timeout 300 "$MINIVMM" -netboot -tap tap1,bridge=br0 -m 512 -smp 2 \
	-trace-boot </dev/null || rc2=$?
say "netbooted guest powered off, minivmm exit code $rc2"
[ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ]
