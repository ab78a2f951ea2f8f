#!/bin/sh
# SPDX-License-Identifier: MIT
# Helpers sourced by the blk_* guest scripts (". /mvt/blk_lib.sh").
# Running it alone just lists the virtio disks.

# blk_wait DEV...: wait (up to 10 s) for the block devices to appear.
blk_wait()
{
	for dev in "$@"; do
		i=0
		while [ ! -b "$dev" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		[ -b "$dev" ] || { echo "MVT-WARN no $dev"; return 1; }
	done
}

# blk_facts NAME: size (sectors), ro flag, serial and sha256 of /dev/NAME.
blk_facts()
{
	d=$1
	echo "MVT ${d}_size=$(cat /sys/block/$d/size)"
	echo "MVT ${d}_ro=$(cat /sys/block/$d/ro)"
	echo "MVT ${d}_serial=$(cat /sys/block/$d/serial 2>/dev/null)"
	echo "MVT ${d}_discard_max=$(cat /sys/block/$d/queue/discard_max_bytes)"
	echo "MVT ${d}_sha256=$(sha256sum /dev/$d | cut -d' ' -f1)"
}

# blk_pattern SEED BYTES: the deterministic data the host expects.
blk_pattern()
{
	yes "minivmm-blk-$1" | head -c "$2"
}

if [ "${0##*/}" = blk_lib.sh ]; then
	echo "MVT disks=$(ls /sys/block | grep '^vd' | tr '\n' ' ')"
fi
