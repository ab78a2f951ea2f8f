#!/bin/bash
# SPDX-License-Identifier: MIT
# readonly=on: Linux sees a read-only disk, writes fail, the image (a file
# without write permission) is unchanged.
. "$(dirname "$0")/../lib.sh"

img=$WORKDIR/ro.img
head -c $((4 * 1024 * 1024)) /dev/urandom >"$img"
want=$(sha256sum <"$img" | cut -d' ' -f1)
chmod a-w "$img"
log=$WORKDIR/readonly.log
MVT_LOG=$log mvt_boot blk_readonly -drive "file=$img,readonly=on"
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc, expected 0"; }
mvt_expect_done "$log"
mvt_expect_fact "$log" vda_ro 1
mvt_expect_fact "$log" vda_sha256 "$want"
mvt_expect_fact "$log" write failed
mvt_expect_fact "$log" forced_write failed
mvt_expect_fact "$log" after_sha256 "$want"
[ "$(sha256sum <"$img" | cut -d' ' -f1)" = "$want" ] || mvt_fail "the read-only image changed"
echo "readonly=on: writes refused, image unchanged"
