#!/bin/bash
# SPDX-License-Identifier: MIT
# A second minivmm on an image that a running one has open for writing is
# refused at once: exit 1 and one clear line; read-only use is refused too.
# QEMU and minivmm keep each other out the same way (the same OFD lock
# bytes): qemu-img convert refuses the image minivmm writes ("-U" still
# reads it),
# and minivmm refuses an image qemu-io has open for writing.
. "$(dirname "$0")/../lib.sh"

img=$WORKDIR/lock.img
head -c $((4 * 1024 * 1024)) /dev/urandom >"$img"
log=$WORKDIR/holder.log
mvt_hold "$log" "$img"
pid=$MVT_HOLD_PID
grep -q '^MVT holding=1' <(tr -d '\r' <"$log") ||
	{ mvt_show "$log"; mvt_fail "the first minivmm did not come up"; }

for opts in "" ",readonly=on"; do
	timeout -k 5 30 "$MINIVMM" -kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0" -drive "file=$img$opts" \
		</dev/null >"$WORKDIR/second.out" 2>"$WORKDIR/second.err"
	rc=$?
	[ $rc -eq 1 ] || { cat "$WORKDIR/second.err"; mvt_fail "second minivmm ($opts): exit $rc, expected 1"; }
	grep -q "$img is in use by another process" "$WORKDIR/second.err" ||
		{ cat "$WORKDIR/second.err"; mvt_fail "no clear 'in use' error"; }
	[ "$(grep -vc 'warning:' "$WORKDIR/second.err")" = 1 ] ||
		{ cat "$WORKDIR/second.err"; mvt_fail "more than one error line on stderr"; }
	[ ! -s "$WORKDIR/second.out" ] || mvt_fail "the second minivmm started a guest"
done
command -v qemu-img >/dev/null && command -v qemu-io >/dev/null ||
	mvt_fail "qemu-img/qemu-io missing (scripts/install-deps.sh: qemu-utils)"
# (a reader that needs a consistent image: qemu-img convert; "info" of a
# raw image opens it without I/O and takes no lock)
qemu-img convert -f raw -O raw "$img" "$WORKDIR/copy.raw" >"$WORKDIR/qemu-img.out" 2>&1 &&
	{ cat "$WORKDIR/qemu-img.out"; mvt_fail "qemu-img read the image minivmm writes"; }
grep -q 'Failed to get shared "write" lock' "$WORKDIR/qemu-img.out" ||
	{ cat "$WORKDIR/qemu-img.out"; mvt_fail "qemu-img failed, but not on the lock"; }
qemu-img convert -U -f raw -O raw "$img" "$WORKDIR/copy.raw" >/dev/null 2>&1 ||
	mvt_fail "qemu-img convert -U (force share) failed"
kill -0 $pid 2>/dev/null || mvt_fail "the first minivmm died"
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 7 ] || mvt_fail "first minivmm: exit $rc after SIGTERM, expected 7"

# QEMU holds the image for writing (qemu-io waits for commands on a FIFO)
mkfifo "$WORKDIR/qio.in"
qemu-io -f raw "$img" <"$WORKDIR/qio.in" >"$WORKDIR/qio.out" 2>&1 &
qio=$!
exec 9>"$WORKDIR/qio.in"
ino=$(stat -c %i "$img")
for _ in $(seq 100); do
	grep -q "OFDLCK.*:$ino " /proc/locks && break
	sleep 0.1
done
grep -q "OFDLCK.*:$ino " /proc/locks || { cat "$WORKDIR/qio.out"; mvt_fail "qemu-io took no lock"; }
for opts in "" ",readonly=on"; do
	timeout -k 5 30 "$MINIVMM" -kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0" -drive "file=$img,format=raw$opts" \
		</dev/null >"$WORKDIR/after-qemu.out" 2>"$WORKDIR/after-qemu.err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "$img is in use by another process" "$WORKDIR/after-qemu.err" ||
		{ cat "$WORKDIR/after-qemu.err"; mvt_fail "minivmm ($opts) beside qemu-io: exit $rc, expected 1 and 'in use'"; }
done
exec 9>&-
wait $qio
echo "second minivmm refused: $(cat "$WORKDIR/second.err")"
echo "qemu-img refused minivmm's image; minivmm refused qemu-io's"
