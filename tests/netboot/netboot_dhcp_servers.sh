#!/bin/bash
# SPDX-License-Identifier: MIT
# Several DHCP servers on one network: a plain one (addresses only, its
# own subnet 10.78.0.0/24) answers at once; the PXE one (dnsmasq with a
# boot file) answers a second later (--dhcp-reply-delay).  Like a PXE ROM,
# the firmware holds the plain offer while it waits for one with boot
# information, and boots from the PXE server.
# timeout: 120
. "$(dirname "$0")/common.bash"

cp "$BOOTINFO_BZIMAGE" "$TFTP/bzImage"
nsrun ip addr add 10.78.0.1/24 dev br0
ip netns exec "$NS" "$DNSMASQ" --no-daemon --conf-file=/dev/null --port=0 \
	--interface=br0 --bind-interfaces --no-ping \
	--dhcp-range=10.78.0.100,10.78.0.150,255.255.255.0,1h \
	--dhcp-leasefile="$WORK/plain.leases" --log-dhcp \
	>"$WORK/plain.log" 2>&1 &
PLAIN_PID=$!
trap 'kill $PLAIN_PID 2>/dev/null; wait $PLAIN_PID 2>/dev/null; netboot_cleanup' EXIT
dnsmasq_start --dhcp-boot=bzImage --dhcp-reply-delay=1
netboot_run servers
grep -q "DHCPOFFER(br0) 10.78.0" "$WORK/plain.log" ||
	fail "the plain server made no offer: $(tail -5 "$WORK/plain.log")"
expect_rc servers 0
expect_console "DHCP: address $CLIENT_IP"
expect_eq cmdline "$(bi cmdline)" "reboot=acpi"
echo "PASS: the offer with boot information wins over an earlier plain one"
