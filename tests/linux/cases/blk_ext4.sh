#!/bin/bash
# SPDX-License-Identifier: MIT
# ext4 round trip: the host makes a file system (with a file in it), the
# guest mounts it, reads the file, writes a tree and a big file, deletes
# one (discard), unmounts; the host's e2fsck -fn finds it clean and
# debugfs finds the guest's files with the right contents.
. "$(dirname "$0")/../lib.sh"
for tool in mkfs.ext4 e2fsck debugfs; do
	command -v $tool >/dev/null || { echo "e2fsprogs missing ($tool)"; exit 77; }
done

img=$WORKDIR/ext4.img
mkdir -p "$WORKDIR/src/from-host"
echo "hello from the host $$" >"$WORKDIR/src/from-host/hello.txt"
truncate -s 64M "$img"
mkfs.ext4 -q -F -E nodiscard -d "$WORKDIR/src" "$img" >/dev/null ||
	mvt_fail "mkfs.ext4 failed"
log=$WORKDIR/ext4.log
MVT_LOG=$log mvt_boot blk_ext4 -drive "file=$img"
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc, expected 0"; }
mvt_expect_done "$log"
mvt_expect_fact "$log" host_file "hello from the host $$"
mvt_expect_fact "$log" guest_files 50
mvt_expect_fact "$log" umount ok
e2fsck -fn "$img" >"$WORKDIR/fsck.out" 2>&1 ||
	{ cat "$WORKDIR/fsck.out"; mvt_fail "e2fsck -fn reports problems"; }
big=$(debugfs -R "cat /guest/big.bin" "$img" 2>/dev/null | sha256sum | cut -d' ' -f1)
[ "$big" = "$(mvt_fact "$log" big_sha256)" ] || mvt_fail "/guest/big.bin differs on the host"
f7=$(debugfs -R "cat /guest/tree/f7" "$img" 2>/dev/null)
[ "$f7" = "file 7 from the guest" ] || mvt_fail "/guest/tree/f7 is '$f7'"
n=$(debugfs -R "ls -p /guest/tree" "$img" 2>/dev/null | grep -c '/f[0-9]*/')
[ "$n" = 50 ] || mvt_fail "$n files in /guest/tree, expected 50"
debugfs -R "stat /guest/gone.bin" "$img" 2>&1 | grep -q "File not found" ||
	mvt_fail "/guest/gone.bin still exists"
echo "ext4 round trip clean (fstrim: $(mvt_fact "$log" fstrim))"
