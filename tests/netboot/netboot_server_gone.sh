#!/bin/bash
# SPDX-License-Identifier: MIT
# The TFTP server dies in the middle of a transfer: once the kernel has
# arrived and the initrd is streaming, dnsmasq is killed (by PID).  The
# server's kernel answers the next ACK with an ICMP port unreachable, which
# ends the wait at once (no 23 s of re-sends): the console names the file
# and the reason, and minivmm exits with 5 (netboot failure).
# timeout: 150
. "$(dirname "$0")/common.bash"

# About a minute of transfer here (~1 MB/s), over a second even on a fast
# hardware-KVM host.
tftp_linux_initrd gone $((64 * 1024 * 1024))
dnsmasq_start --dhcp-boot=pxelinux.0

NETBOOT_TIMEOUT=120 netboot_start gone

# The kernel line is printed when vmlinuz is complete; the initrd request
# follows at once.  Half a second later it is well under way.
wait_kernel_fetched gone
sleep 0.5
grep -q "^TFTP: initrd.img:" "$WORK/gone.out" &&
	fail "the initrd transfer ended before the server was killed"
kill -KILL "$DNSMASQ_PID"
wait "$DNSMASQ_PID" 2>/dev/null
DNSMASQ_PID=
killed=$(date +%s)

wait "$VM"
RC=$?
secs=$(($(date +%s) - killed))
expect_rc gone 5
expect_console "TFTP: initrd.img: port unreachable (ICMP)"
expect_console "netboot: Linux: initrd.img: port unreachable (ICMP)"
# Re-sends would take 1 + 2 + 4 * 5 s; the ICMP answer comes within the
# first second (slack for a busy host).
(( secs <= 8 )) || fail "minivmm took ${secs}s to give up after the server died"
echo "PASS: server killed mid-transfer -> ICMP port unreachable, exit 5 after ${secs}s"
