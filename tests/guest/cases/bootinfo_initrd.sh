#!/bin/bash
# SPDX-License-Identifier: MIT
# The initrd arrives intact (Fletcher-64 word sum computed by the guest
# equals the host's), in RAM, below the header's initrd_addr_max.
# timeout: 90
. "$(dirname "$0")/common.bash"
need BOOTINFO_SUM

# 4099 bytes: not a multiple of 8, so the zero-padded tail is covered too.
head -c 4099 /dev/urandom >"$WORK/initrd"
want=$("$BOOTINFO_SUM" "$WORK/initrd") || fail "bootinfo_sum failed"

bootinfo_run initrd -m 256 -initrd "$WORK/initrd" -append "console=ttyS0"
expect_rc initrd 0
expect_complete initrd
expect_eq "initrd.size" "$(bi initrd.size)" 4099
expect_eq "initrd.sum" "$(bi initrd.sum)" "$want"
addr=$(bi initrd.addr)
(( addr != 0 )) || fail "initrd.addr is 0"
(( addr + 4099 <= 0x80000000 )) || fail "initrd at $addr ends above initrd_addr_max"
is_ram "$addr" 4099 || fail "initrd at $addr is not inside an e820 RAM entry"
load=$(bi load)
(( addr >= load + $(image_init_size) || addr + 4099 <= load )) ||
	fail "initrd at $addr overlaps the guest image at $load"
echo "PASS: initrd of 4099 bytes at $addr, sum $want"
