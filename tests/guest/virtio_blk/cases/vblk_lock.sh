#!/bin/bash
# SPDX-License-Identifier: MIT
# A second minivmm on an image a running one writes to is refused with a
# clear error (exit 1); the lock goes away with the first process.
# timeout: 90
. "$(dirname "$0")/vblk.bash"
need BOOTINFO_BZIMAGE

img=$WORK/locked.img
make_image "$img" $((1024 * 1024))
# The boot-info guest halts forever with bootinfo.action=halt: a holder.
"$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial none -append bootinfo.action=halt \
	-drive "file=$img" </dev/null >"$WORK/holder.raw" 2>"$WORK/holder.err" &
PID=$!
trap '[ -n "$PID" ] && kill -KILL $PID 2>/dev/null; rm -rf "$WORK"' EXIT
# /proc/locks names the inode: wait until the holder's OFD lock is there.
ino=$(stat -c %i "$img")
for _ in $(seq 100); do
	grep -q "OFDLCK.*:$ino " /proc/locks && break
	sleep 0.1
done
# QEMU's lock bytes: 100-101 = "I read and write" (one merged range),
# 201 = "nobody else writes".
grep -Eq "OFDLCK +ADVISORY +READ .*:$ino 100 101" /proc/locks || fail "holder took no write-permission lock byte"
grep -Eq "OFDLCK +ADVISORY +READ .*:$ino 201 201" /proc/locks || fail "holder took no write-sharing lock byte"
kill -0 $PID 2>/dev/null || { cat "$WORK/holder.err" >&2; fail "holder minivmm died"; }

vblk_run second -drive "file=$img"
expect_rc second 1
grep -q "is in use by another process" "$ERR" || { show_run second; fail "no clear error"; }
[ "$(grep -vc 'warning:' "$ERR")" = 1 ] || { show_run second; fail "more than one error line"; }

vblk_run second-ro -drive "file=$img,readonly=on"
expect_rc second-ro 1
grep -q "is in use by another process" "$ERR" || { show_run second-ro; fail "reader not refused"; }

stop_halted holder	# SIGTERM, bounded wait, exit code 7
vblk_run third -drive "file=$img"
expect_done third
echo "PASS: a writable image is locked while in use"
