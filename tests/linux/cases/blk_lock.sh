#!/bin/bash
# SPDX-License-Identifier: MIT
# A second minivmm on an image that a running one has open for writing is
# refused at once: exit 1 and one clear line; read-only use is refused too.
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
kill -0 $pid 2>/dev/null || mvt_fail "the first minivmm died"
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 7 ] || mvt_fail "first minivmm: exit $rc after SIGTERM, expected 7"
echo "second minivmm refused: $(cat "$WORKDIR/second.err")"
