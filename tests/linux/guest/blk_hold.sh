#!/bin/sh
# SPDX-License-Identifier: MIT
# With mvt.seed: write the seed's 4 MiB pattern to /dev/vda and sync.
# Then say "MVT holding=1" and wait to be killed by the host.
. /mvt/blk_lib.sh
blk_wait /dev/vda || exit 1
if [ -n "${MVT_SEED:-}" ]; then
	blk_pattern "$MVT_SEED" 4194304 >/tmp/p0
	dd if=/tmp/p0 of=/dev/vda bs=65536 conv=fsync 2>/dev/null || exit 2
	sync
	echo "MVT synced=1"
fi
echo "MVT holding=1"
sleep 600
