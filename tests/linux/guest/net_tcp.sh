#!/bin/sh
# SPDX-License-Identifier: MIT
# A file of mvt.mib= MiB of random bytes crosses TCP both ways with busybox
# nc: guest -> mvt.peer:5001, then mvt.peer:5002 -> guest.
# Facts: ping, g2h_sha (what was sent), h2g_sha and h2g_bytes (what came).
. "$(dirname "$0")/net_common.sh"

net_config || exit 1
peer=$(net_arg peer) || { echo "MVT-ERR no mvt.peer="; exit 1; }
mib=$(net_arg mib) || mib=64
net_wait_ping "$peer" || { echo "MVT ping=fail"; exit 1; }
echo "MVT ping=ok"

dd if=/dev/urandom of=/tmp/out bs=1M count="$mib" 2>/dev/null || exit 1
echo "MVT g2h_sha=$(net_sha /tmp/out)"
t0=$(date +%s)
net_send "$peer" 5001 /tmp/out || { echo "MVT g2h=fail"; exit 1; }
echo "MVT g2h=sent"
echo "MVT g2h_seconds=$(($(date +%s) - t0))"
rm -f /tmp/out

t0=$(date +%s)
net_fetch /tmp/in "$peer" 5002 || { echo "MVT h2g=fail"; exit 1; }
echo "MVT h2g_seconds=$(($(date +%s) - t0))"
echo "MVT h2g_bytes=$(wc -c </tmp/in)"
echo "MVT h2g_sha=$(net_sha /tmp/in)"
