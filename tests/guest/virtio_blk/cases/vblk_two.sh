#!/bin/bash
# SPDX-License-Identifier: MIT
# Two drives, each with its own contents, in command-line order (slots 0, 1).
# timeout: 90
. "$(dirname "$0")/vblk.bash"

make_image "$WORK/a.img" $((1024 * 1024))
make_image "$WORK/b.img" $((3 * 1024 * 1024))
sum_a=$(sum64k "$WORK/a.img")
sum_b=$(sum64k "$WORK/b.img")
vblk_run two -append vblk.write=1 -drive "file=$WORK/a.img" \
	-drive "file=$WORK/b.img,serial=second"
expect_done two
expect_vk two devices 2
expect_vk two 0.capacity 2048
expect_vk two 1.capacity 6144
expect_vk two 1.serial second
expect_vk two 0.read.sum "$sum_a"
expect_vk two 1.read.sum "$sum_b"
pattern_sectors 16 8 >"$WORK/pattern"
for d in a b; do
	expect_same_range "$d.img sectors 16..23" "$WORK/$d.img" 8192 "$WORK/pattern" 0 4096
done
echo "PASS: two drives, separate contents"
