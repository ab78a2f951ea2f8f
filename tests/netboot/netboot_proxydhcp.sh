#!/bin/bash
# SPDX-License-Identifier: MIT
# ProxyDHCP: the lab's DHCP server gives addresses only; a second dnsmasq
# in proxy mode (dhcp-range=...,proxy + pxe-service) answers the PXE
# client with a boot menu and no address or file.  As a PXE 2.1 ROM, the
# firmware binds to the plain offer, asks the boot server on port 4011 for
# the menu's item, gets pxelinux.0 and boots the PXELINUX config.
# timeout: 120
. "$(dirname "$0")/common.bash"

cp "$BOOTINFO_BZIMAGE" "$TFTP/vmlinuz"
touch "$TFTP/pxelinux.0"
printf 'DEFAULT p\nLABEL p\n  KERNEL vmlinuz\n  APPEND mvt=proxy\n' \
	>"$TFTP/pxelinux.cfg/default"
chmod -R a+rX "$WORK"
# the lab's server: addresses, no boot information
ip netns exec "$NS" "$DNSMASQ" --no-daemon --conf-file=/dev/null --port=0 \
	--interface=br0 --bind-interfaces --no-ping \
	--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
	--dhcp-host="$MAC,$CLIENT_IP" --dhcp-leasefile="$WORK/plain.leases" \
	--log-dhcp >"$WORK/plain.log" 2>&1 &
PLAIN_PID=$!
trap 'kill $PLAIN_PID 2>/dev/null; wait $PLAIN_PID 2>/dev/null; netboot_cleanup' EXIT
# the PXE-only ProxyDHCP with TFTP (dnsmasq adds ".0" to the basename)
ip netns exec "$NS" "$DNSMASQ" --no-daemon --conf-file=/dev/null --port=0 \
	--interface=br0 --bind-interfaces --log-dhcp \
	--dhcp-range=10.77.0.0,proxy --pxe-service=x86PC,"Netboot",pxelinux \
	--dhcp-leasefile="$WORK/proxy.leases" \
	--enable-tftp --tftp-root="$TFTP" >"$WORK/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
for _ in $(seq 50); do
	grep -q "TFTP root" "$WORK/dnsmasq.log" 2>/dev/null && break
	sleep 0.1
done
netboot_run proxy
expect_rc proxy 0
expect_console "DHCP: address $CLIENT_IP"
expect_console "ProxyDHCP: asking boot server $SERVER_IP"
expect_console "boot file 'pxelinux.0'"
expect_eq cmdline "$(bi cmdline)" "BOOT_IMAGE=vmlinuz mvt=proxy reboot=acpi"
echo "PASS: address from the DHCP server, boot file from the ProxyDHCP (port 4011)"
