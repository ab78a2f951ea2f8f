#!/bin/bash
# SPDX-License-Identifier: MIT
# virtio-blk, guest -> host: the guest writes a known pattern at two
# offsets; after power-off the image holds exactly that, the rest is
# untouched.  Once with the page cache, once with cache=none (O_DIRECT).
. "$(dirname "$0")/../lib.sh"

size=$((8 * 1024 * 1024))
for cache in writeback none; do
	img=$WORKDIR/write-$cache.img
	head -c $size /dev/urandom >"$img"
	cp "$img" "$WORKDIR/orig.img"
	seed=$cache-$RANDOM$RANDOM
	log=$WORKDIR/write-$cache.log
	MVT_LOG=$log MVT_APPEND="mvt.seed=$seed" mvt_boot blk_write \
		-drive "file=$img,cache=$cache"
	rc=$?
	[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "cache=$cache: exit code $rc"; }
	mvt_expect_done "$log"
	p0=$(yes "minivmm-blk-$seed" | head -c 4194304 | sha256sum | cut -d' ' -f1)
	p1=$(yes "minivmm-blk-$seed-tail" | head -c 1048576 | sha256sum | cut -d' ' -f1)
	mvt_expect_fact "$log" p0_sha256 "$p0"
	mvt_expect_fact "$log" p1_sha256 "$p1"
	mvt_expect_fact "$log" back0_sha256 "$p0"
	mvt_expect_fact "$log" back1_sha256 "$p1"
	got0=$(head -c 4194304 "$img" | sha256sum | cut -d' ' -f1)
	got1=$(tail -c +$((6 * 1024 * 1024 + 1)) "$img" | head -c 1048576 | sha256sum | cut -d' ' -f1)
	[ "$got0" = "$p0" ] || mvt_fail "cache=$cache: first 4 MiB of the image are not the pattern"
	[ "$got1" = "$p1" ] || mvt_fail "cache=$cache: 1 MiB at 6 MiB is not the pattern"
	cmp -s <(tail -c +$((4 * 1024 * 1024 + 1)) "$img" | head -c $((2 * 1024 * 1024))) \
	       <(tail -c +$((4 * 1024 * 1024 + 1)) "$WORKDIR/orig.img" | head -c $((2 * 1024 * 1024))) ||
		mvt_fail "cache=$cache: bytes between the writes changed"
	cmp -s <(tail -c +$((7 * 1024 * 1024 + 1)) "$img") \
	       <(tail -c +$((7 * 1024 * 1024 + 1)) "$WORKDIR/orig.img") ||
		mvt_fail "cache=$cache: the last MiB changed"
	[ "$(stat -c %s "$img")" = $size ] || mvt_fail "cache=$cache: image size changed"
	echo "cache=$cache: guest writes are on the image"
done
