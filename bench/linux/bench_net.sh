#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of bench.sh's network benchmark (hardware KVM only): iperf3
# from the guest (mvt.ip=ADDR/PREFIX) to the server mvt.server=ADDR that
# bench.sh runs in its private namespace, 10 s each way.
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
command -v iperf3 >/dev/null || { echo "MVT iperf3=not-in-initramfs"; exit 1; }
# the server serves one client (-1) per run: send, then bench.sh restarts it
out=$(iperf3 -c "$MVT_SERVER" -t 10 -f m 2>&1 | grep -E 'sender|receiver' | tail -n 1)
echo "MVT iperf3.tx=$(echo "$out" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i "_Mbit/s" }')"
