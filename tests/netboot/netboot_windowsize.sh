#!/bin/bash
# SPDX-License-Identifier: MIT
# RFC 7440 windowsize against a TFTP server that has it (atftpd; dnsmasq
# does not): DHCP from dnsmasq, TFTP from atftpd on the same address.  The
# kernel and a multi-window initrd must arrive intact with window 8.
# timeout: 120
. "$(dirname "$0")/common.bash"
ATFTPD=${ATFTPD:-$(command -v atftpd || echo /usr/sbin/atftpd)}
[ -x "$ATFTPD" ] || fail "no atftpd: install it (scripts/install-deps.sh, package atftpd)"

tftp_linux_initrd window 400000
chmod -R a+rX "$WORK"

# DHCP only from dnsmasq (no --enable-tftp): replace the common helper's
# TFTP options by pointing next-server at atftpd.
ip netns exec "$NS" "$DNSMASQ" --no-daemon --conf-file=/dev/null --port=0 \
	--interface=br0 --bind-interfaces --no-ping \
	--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
	--dhcp-host="$MAC,$CLIENT_IP" --dhcp-leasefile="$WORK/leases" \
	--dhcp-boot=pxelinux.0,,"$SERVER_IP" >"$WORK/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
ip netns exec "$NS" "$ATFTPD" --daemon --no-fork --port 69 \
	--bind-address "$SERVER_IP" --user root --group root \
	--logfile "$WORK/atftpd.log" "$TFTP" &
ATFTPD_PID=$!
trap 'kill $ATFTPD_PID 2>/dev/null; wait $ATFTPD_PID 2>/dev/null; netboot_cleanup' EXIT
sleep 0.5
kill -0 "$ATFTPD_PID" 2>/dev/null || fail "atftpd did not start: $(cat "$WORK/atftpd.log")"

netboot_run window
expect_rc window 0
grep -aq "TFTP: initrd.img: 400000 bytes .* window 8," "$WORK/window.out" ||
	fail "initrd not fetched with window 8: $(grep -a 'TFTP: initrd' "$WORK/window.out")"
expect_eq cmdline "$(bi cmdline)" "BOOT_IMAGE=vmlinuz initrd=initrd.img mvt=window reboot=acpi"
expect_initrd 400000 "$TFTP/initrd.img"
echo "PASS: windowsize 8 transfer intact ($(grep -a 'TFTP: initrd' "$WORK/window.out" | tr -d '\r'))"
