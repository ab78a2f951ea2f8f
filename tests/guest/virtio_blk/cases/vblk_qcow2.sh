#!/bin/bash
# SPDX-License-Identifier: MIT
# qcow2 through the guest: it reads the first 64 KiB of qemu-img-made
# variants (v2, v3 with 512 B and 2 MiB clusters, compressed, a three-deep
# chain over a raw golden image) and writes sectors into an overlay
# (+ FLUSH, discard, write-zeroes); qemu-img check finds no error,
# qemu-img compare matches a raw reference with the same changes, the
# golden image is unchanged; snapshot=on leaves its image byte-identical.
# timeout: 240
. "$(dirname "$0")/vblk.bash"
command -v qemu-img >/dev/null || fail "qemu-img missing (scripts/install-deps.sh: qemu-utils)"

golden=$WORK/golden.raw
make_image "$golden" $((2 * 1024 * 1024))
want=$(sum64k "$golden")
golden_sha=$(sha256sum <"$golden")
cd "$WORK" || fail "no $WORK"

# Reads: each variant shows the golden bytes.
qemu-img convert -O qcow2 -o compat=0.10 golden.raw v2.qcow2
qemu-img convert -O qcow2 -o cluster_size=512 golden.raw v3-512.qcow2
qemu-img convert -O qcow2 -o cluster_size=2M golden.raw v3-2m.qcow2
qemu-img convert -c -O qcow2 golden.raw comp.qcow2
qemu-img create -q -f qcow2 -b golden.raw -F raw c1.qcow2
qemu-img create -q -f qcow2 -b c1.qcow2 -F qcow2 -o cluster_size=4096 c2.qcow2
qemu-img create -q -f qcow2 -b c2.qcow2 -F qcow2 c3.qcow2
for v in v2 v3-512 v3-2m comp c3; do
	vblk_run "read-$v" -drive "file=$WORK/$v.qcow2,format=qcow2,readonly=on"
	expect_done "read-$v"
	expect_vk "read-$v" 0.capacity 4096
	expect_vk "read-$v" 0.read.sum "$want"
done

# Writes into an overlay, refereed by qemu-img against a raw reference.
pattern_sectors 16 8 >pattern
qemu-img create -q -f qcow2 -b golden.raw -F raw ov.qcow2
vblk_run write -append vblk.write=1 -drive "file=$WORK/ov.qcow2,format=qcow2"
expect_done write
expect_vk write 0.write.status 0
expect_vk write 0.flush.status 0
expect_vk write 0.readback pattern
expect_vk write 0.discard.status 0
expect_vk write 0.wzeroes.status 0
cp golden.raw ref.raw
dd if=pattern of=ref.raw bs=512 seek=16 conv=notrunc status=none
dd if=/dev/zero of=ref.raw bs=512 seek=40 count=8 conv=notrunc status=none
qemu-img check -q ov.qcow2 || fail "qemu-img check finds errors in the overlay"
# Sectors 32..39 were discarded (no zeroes flag): virtio leaves their
# contents undefined, and a discard smaller than a cluster keeps them (as in
# QEMU).  They must read as the old data or as zeroes; the rest is exact.
qemu-img convert -f qcow2 -O raw ov.qcow2 ov.raw
dd if=ov.raw of=disc bs=512 skip=32 count=8 status=none
dd if=golden.raw of=disc.old bs=512 skip=32 count=8 status=none
cmp -s disc disc.old || cmp -s disc <(head -c 4096 /dev/zero) ||
	fail "discarded sectors 32..39 read as neither the old data nor zeroes"
dd if=disc of=ref.raw bs=512 seek=32 conv=notrunc status=none
qemu-img compare -q -f qcow2 -F raw ov.qcow2 ref.raw || fail "overlay differs from the raw reference"
expect_eq "golden image after the writes" "$(sha256sum <"$golden")" "$golden_sha"

# snapshot=on: the guest writes, the image stays as it was.
# (not snap.raw: vblk_run keeps run NAME's console in $WORK/NAME.raw)
cp golden.raw snapimg.raw
vblk_run snap -append vblk.write=1 -drive "file=$WORK/snapimg.raw,format=raw,snapshot=on"
expect_done snap
expect_vk snap 0.write.status 0
expect_vk snap 0.readback pattern
cmp -s snapimg.raw golden.raw || fail "snapshot=on changed the image"
echo "PASS: qcow2 variants read, overlay writes refereed by qemu-img, snapshot=on"
