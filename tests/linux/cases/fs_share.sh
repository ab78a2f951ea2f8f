#!/bin/bash
# SPDX-License-Identifier: MIT
# virtio-fs with Debian's kernel (virtiofs is a module there): files of
# 0 B, 1 B, 1 MiB and 64 MiB read back with the same sha256, the same tree
# (names, sizes, modes), symlinks as links; writes to a read-only share
# fail with EROFS; what the guest writes to a readonly=off share is on the
# host after the run.
. "$(dirname "$0")/../lib.sh"

data=$WORKDIR/data
out=$WORKDIR/out
mkdir -p "$data/dir/sub" "$out"
: >"$data/empty"
printf x >"$data/one"
chmod 0640 "$data/one"
head -c $((1 << 20)) /dev/urandom >"$data/dir/mib"
head -c $((64 << 20)) /dev/urandom >"$data/dir/sub/big"
ln -s ../one "$data/dir/link"

log=$WORKDIR/fs_share.log
MVT_TIMEOUT=${MVT_TIMEOUT_FS:-300} MVT_MEM=384 MVT_LOG=$log mvt_boot fs_share \
	-share "$data,tag=data" -share "$out,tag=out,readonly=off"
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc, expected 0"; }
mvt_expect_done "$log"
mvt_expect_fact "$log" mount ok
for f in empty one dir/mib dir/sub/big; do
	mvt_expect_fact "$log" "sha_$(echo "$f" | tr / _)" \
		"$(sha256sum <"$data/$f" | cut -d' ' -f1)"
done
tree=$(cd "$data" && find . | LC_ALL=C sort |
	while read -r f; do stat -c '%n %s %a' "$f"; done | sha256sum | cut -d' ' -f1)
mvt_expect_fact "$log" tree "$tree"
mvt_expect_fact "$log" link ../one
mvt_expect_fact "$log" ro_write failed
mvt_expect_fact "$log" erofs 1
mvt_expect_fact "$log" ro_mkdir failed
mvt_expect_fact "$log" umount ok

[ "$(cat "$out/hi.txt")" = hello ] || mvt_fail "out/hi.txt: '$(cat "$out/hi.txt")'"
[ ! -e "$out/hello.txt" ] && [ ! -e "$out/gone.txt" ] ||
	mvt_fail "rename or unlink did not reach the host"
cmp -s "$out/d/e/copy" "$data/dir/mib" || mvt_fail "out/d/e/copy differs"
[ "$(readlink "$out/link")" = hello.txt ] || mvt_fail "out/link is not a symlink to hello.txt"
[ ! -e "$data/new" ] && [ ! -e "$data/d" ] || mvt_fail "the read-only share changed"
echo "virtio-fs: 4 files and the tree match, EROFS on read-only, writes reached the host"
