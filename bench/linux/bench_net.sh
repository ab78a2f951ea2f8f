#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of bench.sh's network benchmark (hardware KVM only): iperf3
# between the guest (mvt.ip=ADDR/PREFIX) and the server mvt.server=ADDR
# that bench.sh runs in its private namespace: guest -> host and host ->
# guest (-R), 1 and 4 streams (-P 4), mvt.t=SECONDS each (default 10).
# Prints "MVT iperf3.<tx|rx><1|4>=<Mbit/s>" (the receiver's figure; "-"
# when that run failed).
t=${MVT_T:-10}
ifc=
for d in /sys/class/net/*; do
	[ "${d##*/}" = lo ] && continue
	ifc=${d##*/}
	break
done
[ -n "$ifc" ] || { echo "MVT net=no-interface"; exit 1; }
ip addr add "$MVT_IP" dev "$ifc"
ip link set "$ifc" up
i=0
while ! ping -c 1 -W 1 "$MVT_SERVER" >/dev/null 2>&1 && [ $i -lt 10 ]; do
	i=$((i + 1))
done
[ $i -lt 10 ] || { echo "MVT net=server-unreachable"; exit 1; }
command -v iperf3 >/dev/null || { echo "MVT iperf3=not-in-initramfs"; exit 1; }
rc=0
for dir in tx rx; do
	for p in 1 4; do
		r=
		[ $dir = rx ] && r=-R
		# the last "receiver" line is the [SUM] one with -P 4
		v=$(iperf3 -c "$MVT_SERVER" -t "$t" -P $p $r -f m 2>/dev/null |
			grep receiver | tail -n 1 |
			awk '{ for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }')
		[ -n "$v" ] || { v=-; rc=1; }
		echo "MVT iperf3.$dir$p=$v"
	done
done
exit $rc
