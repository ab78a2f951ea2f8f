#!/bin/sh
# SPDX-License-Identifier: MIT
# The demo guest: show what the machine looks like from inside, use the
# disk and the network, then power off.
echo
echo "=== inside the guest: $(uname -sr) ==="
echo "CPUs:        $(nproc)"
echo "memory:      $(awk '/^MemTotal:/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
echo "command line: $(cat /proc/cmdline)"
echo "virtio:      $(ls /sys/bus/virtio/devices 2>/dev/null | tr '\n' ' ')"
if [ -b /dev/vda ]; then
	echo "disk /dev/vda: $(cat /sys/block/vda/size) sectors; first line: $(head -n 1 /dev/vda)"
fi
ip=$(sed -n 's/.*mvt\.ip=\([^ ]*\).*/\1/p' /proc/cmdline)
peer=$(sed -n 's/.*mvt\.peer=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$ip" ] && [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	ip addr add "$ip" dev eth0
	echo "eth0:        $(cat /sys/class/net/eth0/address) $ip"
	ping -c 2 -W 2 "$peer" | sed -n 's/^\(.*packets transmitted.*\)$/ping host:   \1/p'
fi
echo "=== powering off ==="
