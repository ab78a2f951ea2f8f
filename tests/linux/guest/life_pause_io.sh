#!/bin/sh
# SPDX-License-Identifier: MIT
# Disk and network I/O while the host pauses and resumes the VM over and
# over: the SHA-256 of the whole disk (read twice: with the page cache
# dropped, the second pass reads the device again), then mvt.mib= MiB
# both ways over TCP (as net_tcp).  Facts: vda_sha256, vda_sha256_again,
# g2h_sha, h2g_sha, h2g_bytes.
. "$(dirname "$0")/net_common.sh"
. "$(dirname "$0")/blk_lib.sh"

blk_wait /dev/vda || exit 1
echo "MVT vda_sha256=$(sha256sum /dev/vda | cut -d' ' -f1)"
echo 3 >/proc/sys/vm/drop_caches
echo "MVT vda_sha256_again=$(sha256sum /dev/vda | cut -d' ' -f1)"

net_config || exit 1
peer=$(net_arg peer) || { echo "MVT-ERR no mvt.peer="; exit 1; }
mib=$(net_arg mib) || mib=16
net_wait_ping "$peer" || { echo "MVT ping=fail"; exit 1; }
dd if=/dev/urandom of=/tmp/out bs=1M count="$mib" 2>/dev/null || exit 1
echo "MVT g2h_sha=$(net_sha /tmp/out)"
net_send "$peer" 5001 /tmp/out || { echo "MVT g2h=fail"; exit 1; }
rm -f /tmp/out
net_fetch /tmp/in "$peer" 5002 || { echo "MVT h2g=fail"; exit 1; }
echo "MVT h2g_bytes=$(wc -c </tmp/in)"
echo "MVT h2g_sha=$(net_sha /tmp/in)"
