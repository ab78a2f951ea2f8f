#!/bin/bash
# SPDX-License-Identifier: MIT
# An existing persistent TAP (ip tuntap add) is used and left as it was:
# up and on the bridge while minivmm runs, then down, off the bridge and
# still there.  One already on the bridge stays on it.
. "$(dirname "$0")/common.bash"

nsrun ip link add br0 type bridge || fail "cannot create br0"
nsrun ip link set br0 up
nsrun ip tuntap add ptap0 mode tap || fail "cannot create ptap0"
[ "$(link_state ptap0)" = "DOWN -" ] || fail "ptap0 should start down"

vm_start first -tap ptap0,bridge=br0
state=$(link_state ptap0)
[ "$state" = "UP br0" ] || fail "while running ptap0 is '$state', expected 'UP br0'"
vm_stop first
state=$(link_state ptap0) || fail "ptap0 was removed: it is not minivmm's"
[ "$state" = "DOWN -" ] || fail "after exit ptap0 is '$state', expected 'DOWN -'"
echo "ok: persistent ptap0 restored (down, no master)"

nsrun ip link set ptap0 master br0
nsrun ip link set ptap0 up
vm_start second -tap ptap0,bridge=br0
vm_stop second
state=$(link_state ptap0)
[ "$state" = "UP br0" ] || fail "ptap0 was up on br0 before, now '$state'"
echo "ok: ptap0 already up on br0 stays so"
echo "PASS"
