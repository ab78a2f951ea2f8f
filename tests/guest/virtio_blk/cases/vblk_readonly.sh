#!/bin/bash
# SPDX-License-Identifier: MIT
# readonly=on: the device says RO, a write fails with IOERR, the image is
# unchanged; two read-only users may share one image.
# timeout: 90
. "$(dirname "$0")/vblk.bash"

img=$WORK/ro.img
make_image "$img" $((1024 * 1024))
cp "$img" "$WORK/orig.img"
chmod a-w "$img"	# a read-only file must be enough for readonly=on
vblk_run ro -append vblk.write=1 -drive "file=$img,readonly=on" \
	-drive "file=$img,readonly=on"
expect_done ro
expect_vk ro devices 2
for s in 0 1; do
	expect_vk ro $s.ro 1
	expect_vk ro $s.read.sum "$(sum64k "$WORK/orig.img")"
	expect_vk ro $s.write.status 1
	expect_vk ro $s.readback other
	expect_vk ro $s.discard.status 1
	expect_vk ro $s.wzeroes.status 1
done
cmp -s "$img" "$WORK/orig.img" || fail "the read-only image changed"
echo "PASS: readonly=on refuses writes and leaves the image alone"
