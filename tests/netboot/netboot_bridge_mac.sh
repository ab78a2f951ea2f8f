#!/bin/bash
# SPDX-License-Identifier: MIT
# A bridge whose MAC changes in the middle of a transfer (a Linux bridge
# without a fixed MAC takes the lowest MAC of its ports): the firmware's
# packets to the old MAC are lost; after its first timeout it asks ARP
# again and the transfer goes on to the new MAC.  The initrd must arrive
# whole and intact.
# timeout: 150
. "$(dirname "$0")/common.bash"

tftp_linux_initrd mac $((8 * 1024 * 1024))
dnsmasq_start --dhcp-boot=pxelinux.0

NETBOOT_TIMEOUT=120 netboot_start mac
wait_kernel_fetched mac
sleep 0.3
old=$(nsrun cat /sys/class/net/br0/address)
nsrun ip link set br0 address 02:00:00:00:77:01
grep -q "^TFTP: initrd.img:" "$WORK/mac.out" &&
	fail "the initrd transfer ended before the MAC changed"
wait "$VM"
RC=$?
expect_rc mac 0
expect_initrd $((8 * 1024 * 1024)) "$TFTP/initrd.img"
echo "PASS: bridge MAC $old -> 02:00:00:00:77:01 mid-transfer, initrd intact"
