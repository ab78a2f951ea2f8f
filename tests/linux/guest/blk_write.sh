#!/bin/sh
# SPDX-License-Identifier: MIT
# Write mvt.seed's pattern: 4 MiB at offset 0 and 1 MiB at offset 6 MiB of
# /dev/vda, fsync, read back through a dropped page cache, print the sums.
. /mvt/blk_lib.sh
blk_wait /dev/vda || exit 1
seed=${MVT_SEED:?mvt.seed missing}
blk_pattern "$seed" 4194304 >/tmp/p0
blk_pattern "$seed-tail" 1048576 >/tmp/p1
dd if=/tmp/p0 of=/dev/vda bs=65536 conv=fsync 2>/dev/null || exit 2
dd if=/tmp/p1 of=/dev/vda bs=65536 seek=96 conv=fsync 2>/dev/null || exit 3
sync
echo 3 >/proc/sys/vm/drop_caches
echo "MVT p0_sha256=$(sha256sum </tmp/p0 | cut -d' ' -f1)"
echo "MVT p1_sha256=$(sha256sum </tmp/p1 | cut -d' ' -f1)"
echo "MVT back0_sha256=$(dd if=/dev/vda bs=65536 count=64 2>/dev/null | sha256sum | cut -d' ' -f1)"
echo "MVT back1_sha256=$(dd if=/dev/vda bs=65536 skip=96 count=16 2>/dev/null | sha256sum | cut -d' ' -f1)"
