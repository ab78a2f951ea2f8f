#!/bin/sh
# SPDX-License-Identifier: MIT
# Two virtio-fs shares: "data" (read-only) is read and listed, "out"
# (readonly=off) is written; the case compares both with the host.
mkdir -p /mnt/data /mnt/out
mount -t virtiofs data /mnt/data || { echo "MVT mount=failed"; exit 1; }
mount -t virtiofs out /mnt/out || { echo "MVT mount=failed"; exit 1; }
echo "MVT mount=ok"
cd /mnt/data || exit 1
for f in empty one dir/mib dir/sub/big; do
	echo "MVT sha_$(echo "$f" | tr / _)=$(sha256sum "$f" | cut -d' ' -f1)"
done
# The tree: every name with its size and mode, as the host lists it.
find . | LC_ALL=C sort | while read -r f; do stat -c '%n %s %a' "$f"; done \
	>/tmp/tree
echo "MVT tree=$(sha256sum </tmp/tree | cut -d' ' -f1)"
echo "MVT link=$(readlink dir/link)"

# Read-only share: a write fails with EROFS.
if { echo x >/mnt/data/new; } 2>/tmp/err; then
	echo "MVT ro_write=succeeded"
else
	echo "MVT ro_write=failed"
fi
grep -q 'Read-only file system' /tmp/err && echo "MVT erofs=1"
if mkdir /mnt/data/d 2>/dev/null; then
	echo "MVT ro_mkdir=succeeded"
else
	echo "MVT ro_mkdir=failed"
fi

# Writable share: the host checks what arrives.
cd /mnt/out || exit 1
echo hello >hello.txt
mkdir -p d/e
cp /mnt/data/dir/mib d/e/copy
ln -s hello.txt link
echo gone >gone.txt
mv hello.txt hi.txt
rm gone.txt
sync
cd /
umount /mnt/out && umount /mnt/data && echo "MVT umount=ok"
