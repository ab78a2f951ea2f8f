#!/bin/bash
# SPDX-License-Identifier: MIT
# TFTP block numbers wrap 65535 -> 0: dnsmasq does not negotiate blksize
# (--tftp-no-blocksize), so the firmware falls back to 512-byte blocks and
# an initrd just over 32 MiB (65536 * 512 bytes) needs block numbers past
# 65535.  The initrd must arrive whole and intact.  Slow on emulated KVM
# (two VM exits per 512-byte block: ~110 s) and the guest checksums 32 MiB
# at emulated speed (~50 s): a generous bound.
# timeout: 540
. "$(dirname "$0")/common.bash"

# Inside the nested harness' L1 every TFTP exchange costs ~30 ms (each VM
# exit of L2 is emulated nested SVM under TCG): 65544 blocks would take
# half an hour.  There the same wrap against dnsmasq runs on the host
# instead, through the firmware's own network code and a TAP:
# netboot-host/fw_tap_wrap (tests/netboot/fw_tap_wrap.sh, label unit, no
# /dev/kvm needed).  This case, the whole VM, needs a KVM with native
# exits (hardware, or kvm_pvm).
if [ -n "${MVT_NESTED:-}" ]; then
	echo "SKIP: needs a KVM with native VM exits (in the nested harness 65544 TFTP exchanges take ~30 min); the host test netboot-host/fw_tap_wrap runs the firmware's TFTP client through the same wrap against dnsmasq"
	exit 77
fi

# 32 MiB + 8 blocks + 100 bytes: the smallest file that surely wraps
# (blocks 65536..65544 travel as 0..8), with a short last block.
SIZE=$((32 * 1024 * 1024 + 8 * 512 + 100))
tftp_linux_initrd wrap "$SIZE"
dnsmasq_start --dhcp-boot=pxelinux.0 --tftp-no-blocksize
NETBOOT_TIMEOUT=480 netboot_run wrap
expect_rc wrap 0
expect_console "TFTP: initrd.img: $SIZE bytes"
expect_console "blksize 512"
expect_initrd "$SIZE" "$TFTP/initrd.img"
grep '^TFTP: initrd.img' "$WORK/wrap.out" | tr -d '\r'
echo "PASS: $SIZE-byte initrd in 512-byte blocks, block numbers wrapped"
