#!/bin/bash
# SPDX-License-Identifier: MIT
# minivmm creates its TAP, brings it up with a virtio-net header, attaches
# it to the bridge by ioctl, refuses a second user of the same TAP, prints
# the NIC's counters with -stats, and the TAP is gone when minivmm exits.
. "$(dirname "$0")/common.bash"

nsrun ip link add br0 type bridge || fail "cannot create br0"
nsrun ip link set br0 up

vm_start created -tap mvtap0,bridge=br0 -stats
state=$(link_state mvtap0) || fail "mvtap0 does not exist while minivmm runs"
[ "$state" = "UP br0" ] || fail "mvtap0 is '$state', expected 'UP br0'"
details=$(nsrun ip -d link show dev mvtap0)
grep -q 'tun type tap pi off vnet_hdr on persist off' <<<"$details" ||
	fail "mvtap0 is not a non-persistent TAP with vnet_hdr: $details"
echo "ok: mvtap0 is up, on br0, vnet_hdr on, persist off"

expect_error busy 1 "mvtap0 is in use by another process" -tap mvtap0

vm_stop created
grep -q '^net mvtap0: rx packets=[0-9]* bytes=[0-9]* drops=[0-9]* errors=[0-9]*, tx packets=' \
	"$WORK/created.err" || { cat "$WORK/created.err" >&2; fail "no -stats line for mvtap0"; }
if nsrun ip link show dev mvtap0 >/dev/null 2>&1; then
	fail "mvtap0 outlived minivmm"
fi
echo "ok: mvtap0 removed on exit"

# Killed outright, minivmm cannot clean up: the kernel does (no persist).
vm_start killed -tap mvtap1,bridge=br0
kill -KILL "$VM_PID"
wait "$VM_PID" 2>/dev/null
for _ in $(seq 50); do
	nsrun ip link show dev mvtap1 >/dev/null 2>&1 || break
	sleep 0.1
done
nsrun ip link show dev mvtap1 >/dev/null 2>&1 && fail "mvtap1 outlived a killed minivmm"
echo "ok: mvtap1 removed after SIGKILL"
echo "PASS"
