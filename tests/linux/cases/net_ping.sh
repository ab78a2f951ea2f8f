#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest's virtio-net, on a TAP that minivmm creates and attaches to a
# bridge, pings the bridge's address.  The guest sees the default MAC
# (52:54:00 + hash of the TAP name) and link up; the TAP is gone after.
# Then the host pings the guest MVT_FLOOD (2000) times, one echo in flight
# at a time: every request must reach the guest's kernel and every reply
# come back, none resent (a device that loses one received frame in a
# thousand fails: mutant net-rx-drop of tests/linux/mutants.py).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/net_common.bash"

net_ns ping
ns=$NET_NS
net_bridge "$ns" br0 10.0.2.2/24
log=$WORKDIR/ping.log
flood=${MVT_FLOOD:-2000}
MINIVMM=$(net_minivmm "$ns") MVT_LOG=$log \
	MVT_APPEND="mvt.ip=10.0.2.15/24 mvt.peer=10.0.2.2 mvt.flood=$flood" \
	mvt_boot net_ping -tap mvtap0,bridge=br0 -stats &
vm=$!
net_bg $vm
i=0
until grep -q 'MVT flood=ready' "$log" 2>/dev/null; do
	kill -0 $vm 2>/dev/null || break
	i=$((i + 1))
	[ $i -le 1500 ] || break
	sleep 0.1
done
grep -q 'MVT flood=ready' "$log" ||
	{ mvt_show "$log"; mvt_fail "the guest never became ready for the ping flood"; }
# busybox ping -c N stops after N *replies*: a request lost on the way is
# replaced by the next one when the -i timer fires (here 10 s, far above
# any round trip, so the timer only fires for a lost echo), and shows
# only as more transmitted than received.  Both must be N.
pings=$(ip netns exec "$ns" busybox ping -A -i 10 -q -c "$flood" 10.0.2.15 2>&1)
wait $vm
net_check_boot "$log" $?
sent=$(echo "$pings" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
received=$(echo "$pings" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
[ "$sent" = "$flood" ] && [ "$received" = "$flood" ] ||
	{ mvt_show "$log"; echo "$pings"; mvt_fail "ping flood: $received of ${sent:-?} echo requests answered (want $flood of $flood): a frame was lost"; }
mvt_expect_fact "$log" in_echos "$flood"
mvt_expect_fact "$log" ping ok
mvt_expect_fact "$log" link up
mac=$(mvt_fact "$log" mac)
case $mac in
52:54:00:??:??:??) ;;
*) mvt_show "$log"; mvt_fail "guest MAC '$mac' is not 52:54:00:xx:xx:xx" ;;
esac
net_expect_no_link "$ns" mvtap0
echo "guest $mac pinged 10.0.2.2 over bridge br0; $flood of $flood host pings" \
	"reached it and came back; TAP removed on exit"
echo "$pings" | grep 'packets transmitted' || true
tr -d '\r' <"$log" | grep '^net mvtap0: rx packets=' || true
