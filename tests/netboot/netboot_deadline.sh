#!/bin/bash
# SPDX-License-Identifier: MIT
# The whole netboot has a deadline (-netboot-timeout): a TFTP server that
# never answers would cost 23 s of re-sends per file, but with a 6 s
# deadline minivmm stops at 6 s with its own exit code, 9, and the console
# says why.  Without the option the default deadline applies (docs).
# timeout: 120
. "$(dirname "$0")/common.bash"

touch "$TFTP/pxelinux.0"
dnsmasq_dhcp_only --dhcp-boot=pxelinux.0,,"$SERVER_IP"
tftp_silent_start 0

start=$(date +%s)
netboot_run deadline -netboot-timeout 6
secs=$(($(date +%s) - start))
expect_rc deadline 9
expect_console "netboot: deadline: 6 s passed (-netboot-timeout)"
grep -q "RRQ .*: no answer" "$WORK/tftp-silent.log" ||
	fail "the firmware never asked the silent server"
# 6 s from the firmware's start, plus minivmm's own start.
[ "$secs" -lt 20 ] || fail "the 6 s deadline took $secs s"
echo "PASS: deadline exit 9 after $secs s"
