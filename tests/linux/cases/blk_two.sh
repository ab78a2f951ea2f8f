#!/bin/bash
# SPDX-License-Identifier: MIT
# Two drives: vda and vdb in command-line order, each with its own size,
# serial and contents.
. "$(dirname "$0")/../lib.sh"

a=$WORKDIR/a.img
b=$WORKDIR/b.img
head -c $((4 * 1024 * 1024)) /dev/urandom >"$a"
head -c $((6 * 1024 * 1024)) /dev/urandom >"$b"
log=$WORKDIR/two.log
MVT_LOG=$log MVT_APPEND="mvt.disks=2" mvt_boot blk_info \
	-drive "file=$a,serial=disk-a" -drive "file=$b,serial=disk-b,cache=none"
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc, expected 0"; }
mvt_expect_done "$log"
mvt_expect_fact "$log" disks 2
mvt_expect_fact "$log" vda_size 8192
mvt_expect_fact "$log" vdb_size 12288
mvt_expect_fact "$log" vda_serial disk-a
mvt_expect_fact "$log" vdb_serial disk-b
mvt_expect_fact "$log" vda_sha256 "$(sha256sum <"$a" | cut -d' ' -f1)"
mvt_expect_fact "$log" vdb_sha256 "$(sha256sum <"$b" | cut -d' ' -f1)"
echo "two drives, each with its own contents"
