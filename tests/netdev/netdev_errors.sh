#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad -tap set-ups end minivmm with one clear error line and leave no
# interface behind: usage errors exit 2, TAP failures exit 1.
. "$(dirname "$0")/common.bash"

nsrun ip link add br0 type bridge || fail "cannot create br0"
before=$(nsrun ip -o link show | awk -F': ' '{ print $2 }' | sort)

expect_error long-name 2 "*invalid interface name 'averyveryverylongname'*" \
	-tap averyveryverylongname
expect_error bad-char 2 "*invalid interface name*" -tap 'tap/0'
expect_error bad-mac 2 "*invalid MAC '52:54:00:zz:00:01'*" \
	-tap mvtap0,mac=52:54:00:zz:00:01
expect_error multicast-mac 2 "*invalid MAC '01:00:5e:00:00:01'*" \
	-tap mvtap0,mac=01:00:5e:00:00:01
expect_error short-mac 2 "*invalid MAC '52:54:00:00:01'*" \
	-tap mvtap0,mac=52:54:00:00:01
expect_error no-bridge 1 "bridge br9 does not exist" -tap mvtap0,bridge=br9
nsrun ip tuntap add ptap0 mode tap
expect_error not-a-bridge 1 "ptap0 is not a bridge" -tap mvtap0,bridge=ptap0
expect_error not-a-tap 1 "br0 exists and is not a single-queue TAP device" \
	-tap br0
nsrun ip link del ptap0

after=$(nsrun ip -o link show | awk -F': ' '{ print $2 }' | sort)
[ "$before" = "$after" ] ||
	fail "interfaces changed: before '$before', after '$after'"
echo "ok: nothing left behind"
echo "PASS"
