#!/bin/bash
# SPDX-License-Identifier: MIT
# TFTP block numbers wrap 65535 -> 0, on the host: the netboot firmware's
# own TFTP client (fw_tap_get: the firmware's network code built for the
# host, its virtio-net rings served over a TAP) fetches a file of 32 MiB +
# 8 blocks + 100 bytes from an unmodified dnsmasq that refuses the blksize
# option (--tftp-no-blocksize).  The firmware must fall back to 512-byte
# blocks, follow the block numbers past 65535 (65536..65544 travel as
# 0..8) and receive the file whole and byte-identical.  The guest case
# tests/netboot/netboot_wrap.sh does the same in a VM, where KVM has
# native exits; this one needs no /dev/kvm.
#
# Everything lives in a private network namespace (bridge br0 with
# 10.77.0.1/24, the TAP, dnsmasq in the foreground), removed on exit.
# Environment: FW_TAP_GET (the program), DNSMASQ.
set -u

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	[ -f "$WORK/get.err" ] && { echo "--- fw_tap_get:" >&2; tail -n 20 "$WORK/get.err" >&2; }
	[ -f "$WORK/dnsmasq.log" ] && { echo "--- dnsmasq:" >&2; tail -n 20 "$WORK/dnsmasq.log" >&2; }
	exit 1
}

: "${FW_TAP_GET:?FW_TAP_GET not set}"
[ "$(id -u)" = 0 ] || skip "needs root (a network namespace, a TAP device)"
DNSMASQ=${DNSMASQ:-$(command -v dnsmasq || echo /usr/sbin/dnsmasq)}
[ -x "$DNSMASQ" ] || { echo "FAIL: no dnsmasq (scripts/install-deps.sh installs dnsmasq-base)"; exit 1; }
[ -c /dev/net/tun ] || { echo "FAIL: no /dev/net/tun"; exit 1; }
command -v ip >/dev/null || { echo "FAIL: no ip (iproute2)"; exit 1; }

NS=mvt-$$-fwwrap
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mvt-fwwrap.XXXXXX")
DNSMASQ_PID=
cleanup() {
	if [ -n "$DNSMASQ_PID" ]; then
		kill "$DNSMASQ_PID" 2>/dev/null
		wait "$DNSMASQ_PID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NS" || fail "cannot create a network namespace"
nsrun() { ip netns exec "$NS" "$@"; }
nsrun ip link set lo up
nsrun ip link add br0 type bridge || fail "no bridge support"
nsrun ip addr add 10.77.0.1/24 dev br0
nsrun ip link set br0 up

# 32 MiB + 8 blocks + 100 bytes: the smallest file that surely wraps,
# with a short last block.
SIZE=$((32 * 1024 * 1024 + 8 * 512 + 100))
mkdir "$WORK/tftp"
head -c "$SIZE" /dev/urandom >"$WORK/tftp/initrd.img"
[ "$(stat -c %s "$WORK/tftp/initrd.img")" = "$SIZE" ] || fail "cannot make the test file"

# TFTP only (no DHCP range: the client's address is static).
nsrun "$DNSMASQ" --no-daemon --conf-file=/dev/null --port=0 \
	--interface=br0 --bind-interfaces \
	--enable-tftp --tftp-root="$WORK/tftp" --tftp-no-blocksize \
	>"$WORK/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
for _ in $(seq 50); do
	grep -q "TFTP root" "$WORK/dnsmasq.log" 2>/dev/null && break
	kill -0 "$DNSMASQ_PID" 2>/dev/null || break
	sleep 0.1
done
grep -q "TFTP root" "$WORK/dnsmasq.log" || fail "dnsmasq did not start"

# A bounded run: 65545 exchanges take seconds on the host.
nsrun timeout 90 "$FW_TAP_GET" tap0 br0 10.77.0.42 10.77.0.1 initrd.img \
	"$WORK/got" >"$WORK/get.out" 2>"$WORK/get.err" ||
	fail "the firmware's TFTP client failed (rc $?)"
line=$(grep '^TFTP: initrd.img:' "$WORK/get.out") || fail "no result line"
echo "$line"

got=$(stat -c %s "$WORK/got")
[ "$got" = "$SIZE" ] || fail "received $got bytes, want $SIZE"
cmp -s "$WORK/got" "$WORK/tftp/initrd.img" || fail "the file arrived changed"
want_sum=$(sha256sum <"$WORK/tftp/initrd.img")
got_sum=$(sha256sum <"$WORK/got")
[ "$got_sum" = "$want_sum" ] || fail "sha256 differs"
case "$line" in
*"blksize 512, window 1,"*) ;;
*) fail "expected the fallback to 512-byte blocks, window 1 (dnsmasq answered no OACK)" ;;
esac
wraps=$(echo "$line" | sed -n 's/.*block numbers wrapped \([0-9]*\) times.*/\1/p')
[ "${wraps:-0}" -ge 1 ] || fail "the block numbers did not wrap"
echo "PASS: $SIZE bytes in 512-byte blocks, block numbers wrapped $wraps times, sha256 ${got_sum%% *}"
