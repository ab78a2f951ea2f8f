#!/bin/sh
# SPDX-License-Identifier: MIT
# Saved and restored (cases/snap_restore.sh): before the save, write 4 MiB
# of mvt.seed's pattern to /dev/vda (synced), bring the NIC up and ping
# the bridge, say "MVT snap=ready" and wait; the host saves the VM
# (ctl save --quit) during the wait and restores it later on another TAP.
# After the restore: the clock (date +%s, for the host to compare), the
# disk read back through a dropped page cache, a new write read back, a
# ping, and a command's output.
. "$(dirname "$0")/blk_lib.sh"
. "$(dirname "$0")/net_common.sh"
blk_wait /dev/vda || exit 1
seed=${MVT_SEED:?mvt.seed missing}
blk_pattern "$seed" 4194304 >/tmp/p0
dd if=/tmp/p0 of=/dev/vda bs=65536 conv=fsync 2>/dev/null || exit 2
echo "MVT before_sha256=$(sha256sum </tmp/p0 | cut -d' ' -f1)"
net_config || exit 3
peer=$(net_arg peer) || { echo "MVT-ERR no mvt.peer="; exit 3; }
net_wait_ping "$peer" || { echo "MVT ping_before=fail"; exit 4; }
echo "MVT ping_before=ok"
echo "MVT date_before=$(date +%s)"
echo "MVT snap=ready"
# The save lands in here.  A restored guest's clock has moved on by the
# time the snapshot spent on disk, so the wait ends at once after it.
t0=$(date +%s)
while [ $(($(date +%s) - t0)) -lt 60 ]; do
	sleep 1
done
echo "MVT date_after=$(date +%s)"
echo 3 >/proc/sys/vm/drop_caches
echo "MVT after_sha256=$(dd if=/dev/vda bs=65536 count=64 2>/dev/null | sha256sum | cut -d' ' -f1)"
blk_pattern "$seed-after" 1048576 >/tmp/p1
dd if=/tmp/p1 of=/dev/vda bs=65536 seek=96 conv=fsync 2>/dev/null || exit 5
echo 3 >/proc/sys/vm/drop_caches
[ "$(dd if=/dev/vda bs=65536 skip=96 count=16 2>/dev/null | sha256sum)" = \
  "$(sha256sum </tmp/p1)" ] && echo "MVT write_after=ok" || echo "MVT write_after=bad"
if net_wait_ping "$peer"; then
	echo "MVT ping_after=ok"
else
	echo "MVT ping_after=fail"
fi
echo "MVT uname=$(uname -s)"
