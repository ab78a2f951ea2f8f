#!/bin/bash
# SPDX-License-Identifier: MIT
# virtio-fs from an own guest: a read-only and a writable -share, the
# guest's FUSE client reads a file (bytes checked by sum), cannot leave the
# share with "..", sees a symlink to /etc as a symlink, and creates a file
# only where readonly=off.  Runs with the fs thread's seccomp class on.
# timeout: 120
. "${GUEST_CASES_DIR:-$(dirname "$0")/../../cases}/common.bash"
need MINIVMM GUEST_DIR BOOTINFO_SUM
VFS_BZIMAGE=${VFS_BZIMAGE:-$GUEST_DIR/virtio_fs/vfs.bzImage}
[ -f "$VFS_BZIMAGE" ] || fail "no $VFS_BZIMAGE (build target vfs_bzimage)"

for d in ro rw; do
	mkdir -p "$WORK/$d"
	{ echo "hello from the $d share"; head -c 40000 /dev/urandom; } >"$WORK/$d/hello.txt"
	ln -s /etc "$WORK/$d/etc"
done
# What the guest sums: the file zero-padded to 64 KiB.
cp "$WORK/ro/hello.txt" "$WORK/padded"
truncate -s 65536 "$WORK/padded"
want_sum=$("$BOOTINFO_SUM" "$WORK/padded")

timeout -k 5 "$RUN_TIMEOUT" "$MINIVMM" -kernel "$VFS_BZIMAGE" -serial stdio \
	-append vfs.write=1 -stats \
	-share "$WORK/ro,tag=roshare" -share "$WORK/rw,tag=rwshare,readonly=off" \
	</dev/null >"$WORK/vfs.raw" 2>"$WORK/vfs.err"
RC=$?
tr -d '\r' <"$WORK/vfs.raw" >"$WORK/vfs.out"
OUT=$WORK/vfs.out
expect_rc vfs 0

vk() { sed -n "s/^VFS $1=//p" "$OUT" | head -n 1; }
expect_vk() {
	local got
	got=$(vk "$1")
	[ "$got" = "$2" ] || { show_run vfs; fail "VFS $1 is '$got', expected '$2'"; }
}

size=$(stat -c %s "$WORK/ro/hello.txt")
expect_vk devices 2
expect_vk 0.tag roshare
expect_vk 1.tag rwshare
for s in 0 1; do
	expect_vk $s.init 0,31
	expect_vk $s.lookup 0
	expect_vk $s.size "$size"
	expect_vk $s.open 0
	expect_vk $s.read "0,$size"
	expect_vk $s.escape -22		# EINVAL: ".." is not a name
	expect_vk $s.etc a000		# S_IFLNK: a symlink, not the host's /etc
done
expect_vk 0.sum "$want_sum"
expect_vk 0.text "hello from the ro share"
expect_vk 1.text "hello from the rw share"
expect_vk 0.create -30			# EROFS
expect_vk 1.create 0
[ ! -e "$WORK/ro/from-guest" ] || fail "the read-only share got a file"
[ "$(cat "$WORK/rw/from-guest")" = "written by the guest" ] ||
	fail "from-guest on the host: '$(cat "$WORK/rw/from-guest" 2>&1)'"
grep -q "virtio-fs0 ($WORK/ro): .* requests" "$WORK/vfs.err" ||
	{ show_run vfs; fail "no -stats line for virtio-fs0"; }
echo "PASS: virtio-fs shares read, confine and write as configured"
