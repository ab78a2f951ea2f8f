#!/bin/sh
# SPDX-License-Identifier: MIT
# One NIC: configure it from mvt.ip=, ping mvt.peer= (the bridge address).
# Facts: if, mac, link, ping=ok|fail.
. "$(dirname "$0")/net_common.sh"

net_config || exit 1
peer=$(net_arg peer) || { echo "MVT-ERR no mvt.peer="; exit 1; }
if net_wait_ping "$peer"; then
	echo "MVT ping=ok"
else
	echo "MVT ping=fail"
	ip addr
	ip route
	exit 1
fi

# mvt.flood=N: the host now pings us N times, one at a time (ping -A).
# Only the kernel answers, so every echo request that reached the NIC is
# counted in /proc/net/snmp (Icmp InEchos): a device that drops a received
# frame shows as a count below N.  Wait for N, or 30 s without progress.
flood=$(net_arg flood) || exit 0
in_echos()
{
	awk '/^Icmp: [A-Z]/ { for (i = 2; i <= NF; i++) if ($i == "InEchos") c = i; next }
	     /^Icmp: [0-9]/ { print $c; exit }' /proc/net/snmp
}
echo "MVT flood=ready"
last=$(in_echos)
idle=0
while [ "$(in_echos)" -lt "$flood" ] && [ $idle -lt 300 ]; do
	n=$(in_echos)
	if [ "$n" = "$last" ]; then idle=$((idle + 1)); else idle=0; fi
	last=$n
	sleep 0.1
done
echo "MVT in_echos=$(in_echos)"
echo "MVT rx_dropped=$(cat "/sys/class/net/$NET_IF/statistics/rx_dropped")"
