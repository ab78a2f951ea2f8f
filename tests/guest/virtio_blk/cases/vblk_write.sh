#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest writes sectors 16..23 (+ FLUSH), reads them back, discards
# 32..39 and zeroes 40..47; the host finds exactly those sectors changed,
# for each cache mode.
# timeout: 120
. "$(dirname "$0")/vblk.bash"

pattern_sectors 16 8 >"$WORK/pattern"
for cache in writeback none unsafe; do
	img=$WORK/disk-$cache.img
	make_image "$img" $((2 * 1024 * 1024))
	cp "$img" "$WORK/orig.img"
	vblk_run "write-$cache" -append vblk.write=1 -drive "file=$img,cache=$cache"
	expect_done "write-$cache"
	expect_vk "write-$cache" 0.write.status 0
	expect_vk "write-$cache" 0.flush.status 0
	expect_vk "write-$cache" 0.readback pattern
	expect_vk "write-$cache" 0.discard.status 0
	expect_vk "write-$cache" 0.wzeroes.status 0
	expect_same_range "cache=$cache: sectors 16..23" "$img" $((16 * 512)) \
		"$WORK/pattern" 0 4096
	expect_same_range "cache=$cache: sectors 0..15" "$img" 0 "$WORK/orig.img" 0 8192
	expect_same_range "cache=$cache: sectors 24..31" "$img" $((24 * 512)) \
		"$WORK/orig.img" $((24 * 512)) 4096
	expect_same_range "cache=$cache: sectors 32..47 (discarded, zeroed)" \
		"$img" $((32 * 512)) /dev/zero 0 8192
	expect_same_range "cache=$cache: the rest" "$img" $((48 * 512)) \
		"$WORK/orig.img" $((48 * 512)) $((2 * 1024 * 1024 - 48 * 512))
done
echo "PASS: guest writes land on the image (writeback, none, unsafe)"
