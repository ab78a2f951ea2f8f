#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest's virtio-net, on a TAP that minivmm creates and attaches to a
# bridge, pings the bridge's address.  The guest sees the default MAC
# (52:54:00 + hash of the TAP name) and link up; the TAP is gone after.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/net_common.bash"

net_ns ping
ns=$NET_NS
net_bridge "$ns" br0 10.0.2.2/24
log=$WORKDIR/ping.log
MINIVMM=$(net_minivmm "$ns") MVT_LOG=$log \
	MVT_APPEND="mvt.ip=10.0.2.15/24 mvt.peer=10.0.2.2" \
	mvt_boot net_ping -tap mvtap0,bridge=br0
net_check_boot "$log" $?
mvt_expect_fact "$log" ping ok
mvt_expect_fact "$log" link up
mac=$(mvt_fact "$log" mac)
case $mac in
52:54:00:??:??:??) ;;
*) mvt_show "$log"; mvt_fail "guest MAC '$mac' is not 52:54:00:xx:xx:xx" ;;
esac
net_expect_no_link "$ns" mvtap0
echo "guest $mac pinged 10.0.2.2 over bridge br0; TAP removed on exit"
