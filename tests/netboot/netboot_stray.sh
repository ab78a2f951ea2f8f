#!/bin/bash
# SPDX-License-Identifier: MIT
# Zero-copy receive under stray traffic: while the initrd streams in, the
# host keeps sending UDP datagrams to the guest (which must answer ARP for
# them to arrive).  Each one takes an RX buffer aimed at the next file
# block; the blocks behind it must be copied into place and the initrd
# must still arrive intact.
# timeout: 150
. "$(dirname "$0")/common.bash"

tftp_linux_initrd stray 1500000
dnsmasq_start --dhcp-boot=pxelinux.0

# Bounded noise: at most 3000 datagrams, stops by itself after ~60 s.
ip netns exec "$NS" bash -c "
	for i in \$(seq 3000); do
		echo noise-\$i 2>/dev/null >/dev/udp/$CLIENT_IP/9
		sleep 0.02
	done" >/dev/null 2>&1 &
NOISE=$!
netboot_run stray
kill "$NOISE" 2>/dev/null
wait "$NOISE" 2>/dev/null
expect_rc stray 0
expect_eq cmdline "$(bi cmdline)" "BOOT_IMAGE=vmlinuz initrd=initrd.img mvt=stray reboot=acpi"
expect_initrd 1500000 "$TFTP/initrd.img"
copied=$(sed -n 's/^TFTP: initrd.img: .*, \([0-9]*\) blocks copied.*/\1/p' \
	"$WORK/stray.out" | tr -d '\r')
[ -n "$copied" ] || fail "no TFTP line for initrd.img"
# Without noise only the ~16 blocks before the OACK are copied.
(( copied > 16 )) || fail "only $copied blocks copied: the noise never reached the guest (ARP?)"
echo "PASS: initrd intact with stray packets ($copied blocks copied)"
