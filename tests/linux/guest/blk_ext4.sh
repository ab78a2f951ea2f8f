#!/bin/sh
# SPDX-License-Identifier: MIT
# Mount the ext4 file system the host made on /dev/vda, read the host's
# file, write a tree of files and one 5 MiB file, delete some (discard),
# unmount cleanly.
. /mvt/blk_lib.sh
blk_wait /dev/vda || exit 1
mkdir -p /mnt
mount -t ext4 /dev/vda /mnt || exit 2
echo "MVT host_file=$(cat /mnt/from-host/hello.txt)"
mkdir -p /mnt/guest/tree || exit 3
i=0
while [ $i -lt 50 ]; do
	echo "file $i from the guest" >/mnt/guest/tree/f$i
	i=$((i + 1))
done
head -c 5242880 /dev/urandom >/mnt/guest/big.bin || exit 4
echo "MVT big_sha256=$(sha256sum /mnt/guest/big.bin | cut -d' ' -f1)"
head -c 2097152 /dev/urandom >/mnt/guest/gone.bin
sync
rm /mnt/guest/gone.bin
# Discard freed blocks (VIRTIO_BLK_T_DISCARD); not every busybox has fstrim.
if command -v fstrim >/dev/null; then
	fstrim /mnt && echo "MVT fstrim=ok" || echo "MVT fstrim=failed"
fi
echo "MVT guest_files=$(ls /mnt/guest/tree | wc -l)"
umount /mnt || exit 5
echo "MVT umount=ok"
