#!/bin/bash
# SPDX-License-Identifier: MIT
# The shutdown attack of issue 15 (item 1), against a large sparse image:
# the hostile guest (hostile.mode=stall) posts 254 segments of 1 GiB over
# the same RAM and 255 segments in one request (both over the advertised
# size_max/seg_max: VIRTIO_BLK_S_IOERR at once), resets the device under
# a full queue of the largest legal requests (~8 GiB; the reset must not
# wait for it), queues that again and spins.  SIGTERM must then end
# minivmm within 1 s with exit 7 and a full teardown (-stats printed, the
# image unchanged).
# timeout: 180
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM GUEST_DIR
HOSTILE=$GUEST_DIR/hostile/hostile.bzImage
[ -f "$HOSTILE" ] || fail "no $HOSTILE"

IMG=$WORK/sparse.img
truncate -s 256G "$IMG" || fail "cannot make a 256 GiB sparse image"
printf 'STALL-MARKER' | dd of="$IMG" bs=1 seek=$((8 << 30)) conv=notrunc status=none
touch -d '2 minutes ago' "$IMG"
before=$(stat -c '%s %b %Y' "$IMG")

# wait_line PATTERN SECONDS: until the serial output has PATTERN.
wait_line() {
	local i
	for ((i = 0; i < $2 * 50; i++)); do
		tr -d '\r' <"$WORK/stall.raw" | grep -aq "$1" && return 0
		kill -0 $PID 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

"$MINIVMM" -kernel "$HOSTILE" -m 1100 -serial stdio -stats \
	-append "hostile.mode=stall" -drive file="$IMG" \
	</dev/null >"$WORK/stall.raw" 2>"$WORK/stall.err" &
PID=$!
give_up() {
	kill -KILL $PID 2>/dev/null
	wait $PID 2>/dev/null
	tr -d '\r' <"$WORK/stall.raw" >"$WORK/stall.out"
	show_run stall
	fail "$*"
}
wait_line '^HOSTILE stall.queued' 90 || give_up "the guest did not queue its requests"
t_queued=$(now_ms)
wait_line '^HOSTILE stall.reset ' 30 || give_up "the reset did not complete in 30 s"
t_reset=$(now_ms)
wait_line '^HOSTILE stall.posted' 30 || give_up "the guest did not queue again"
sleep 0.5	# the I/O thread is deep in the queue now
kill -TERM $PID
wait_exit stall 5 "after SIGTERM"
OUT=$WORK/stall.out
ERR=$WORK/stall.err
grep -a '^HOSTILE ' "$OUT" | grep -v 'phase=' || true
echo "reset under the queue: $((t_reset - t_queued)) ms (serial-observed);" \
	"SIGTERM to exit: $EXIT_MS ms"
expect_rc stall 7
(( EXIT_MS < 1000 )) || { show_run stall; fail "exit took $EXIT_MS ms after SIGTERM (want < 1000)"; }
# The serial line comes out after the reset returned; 2 s leaves room for
# the emulated guest's own printing on the CI machines.
(( t_reset - t_queued < 2000 )) ||
	{ show_run stall; fail "the reset took $((t_reset - t_queued)) ms under a full queue"; }
for c in stall.oversize stall.too_many_segments; do
	line=$(grep -a "^HOSTILE case=$c " "$OUT")
	[[ $line == *result=done*blk=1* ]] || { show_run stall; fail "$c: not VIRTIO_BLK_S_IOERR ($line)"; }
done
[[ $(grep -a '^HOSTILE stall.reset ' "$OUT") == *status=0x0* ]] ||
	{ show_run stall; fail "the device did not reset"; }
# The -stats lines (printed before the teardown); the two requests over
# the limits are counted.
stats=$(grep -a 'virtio-blk0:' "$ERR") || { show_run stall; fail "no -stats line for virtio-blk0"; }
echo "$stats"
[[ $stats == *"(2 over the size/segment limits)"* ]] || fail "limits not counted: $stats"
after=$(stat -c '%s %b %Y' "$IMG")
[ "$before" = "$after" ] || fail "the image changed: '$before' -> '$after'"
[ "$(dd if="$IMG" bs=1 skip=$((8 << 30)) count=12 status=none)" = STALL-MARKER ] ||
	fail "the image's marker changed"
echo "PASS: limits enforced, reset and SIGTERM do not wait for the queue"
