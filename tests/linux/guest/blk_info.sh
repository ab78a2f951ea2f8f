#!/bin/sh
# SPDX-License-Identifier: MIT
# Facts about every virtio disk: size, ro, serial, discard, sha256 of the
# whole device.  MVT_DISKS (mvt.disks=N, default 1) disks are expected.
. /mvt/blk_lib.sh
n=${MVT_DISKS:-1}
set -- /dev/vda /dev/vdb /dev/vdc /dev/vdd
devs=
while [ "$n" -gt 0 ] && [ $# -gt 0 ]; do
	devs="$devs $1"
	shift
	n=$((n - 1))
done
# shellcheck disable=SC2086
blk_wait $devs || exit 1
echo "MVT disks=$(ls /sys/block | grep -c '^vd')"
for dev in $devs; do
	blk_facts "${dev#/dev/}"
done
