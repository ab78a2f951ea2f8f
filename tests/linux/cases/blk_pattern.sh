#!/bin/bash
# SPDX-License-Identifier: MIT
# virtio-blk, host -> guest: the guest's sha256 of /dev/vda equals the
# host's sha256 of a random image; size, serial and ro flag as configured.
. "$(dirname "$0")/../lib.sh"

img=$WORKDIR/pattern.img
head -c $((8 * 1024 * 1024)) /dev/urandom >"$img"
want=$(sha256sum <"$img" | cut -d' ' -f1)
log=$WORKDIR/pattern.log
MVT_LOG=$log MVT_APPEND="mvt.disks=1" mvt_boot blk_info \
	-drive "file=$img,serial=mvt-pattern"
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc, expected 0"; }
mvt_expect_done "$log"
mvt_expect_fact "$log" disks 1
mvt_expect_fact "$log" vda_size 16384
mvt_expect_fact "$log" vda_ro 0
mvt_expect_fact "$log" vda_serial mvt-pattern
mvt_expect_fact "$log" vda_sha256 "$want"
dmax=$(mvt_fact "$log" vda_discard_max)
[ "${dmax:-0}" -gt 0 ] || { mvt_show "$log"; mvt_fail "discard not offered to the guest"; }
[ "$(sha256sum <"$img" | cut -d' ' -f1)" = "$want" ] || mvt_fail "image changed by a read-only workload"
echo "guest read the 8 MiB image intact (sha256 $want)"
