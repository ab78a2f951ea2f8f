#!/bin/sh
# SPDX-License-Identifier: MIT
# Two NICs (mvt.mac0/ip0, mvt.mac1/ip1) on two separate networks whose
# hosts are mvt.peer0= and mvt.peer1=.  Each NIC reaches its own host, and
# neither reaches the other network's host even when routed that way.
# Facts: if0/if1, mac0/mac1, ping0, ping1, cross01, cross10.
. "$(dirname "$0")/net_common.sh"

net_config 0 || exit 1
if0=$NET_IF
net_config 1 || exit 1
if1=$NET_IF
peer0=$(net_arg peer0) || exit 1
peer1=$(net_arg peer1) || exit 1
rc=0

net_wait_ping "$peer0" "$if0" && echo "MVT ping0=ok" || { echo "MVT ping0=fail"; rc=1; }
net_wait_ping "$peer1" "$if1" && echo "MVT ping1=ok" || { echo "MVT ping1=fail"; rc=1; }

# cross DST IFACE: force DST out of the wrong NIC: nobody there may answer.
cross()
{
	ip route add "$1/32" dev "$2" || return 2
	if ping -c 3 -W 1 "$1" >/dev/null 2>&1; then
		r=reached
	else
		r=isolated
	fi
	ip route del "$1/32" dev "$2"
	ip neigh flush dev "$2" >/dev/null 2>&1
	echo $r
}
echo "MVT cross01=$(cross "$peer1" "$if0")"
echo "MVT cross10=$(cross "$peer0" "$if1")"
exit $rc
