#!/bin/bash
# SPDX-License-Identifier: MIT
# Two vCPUs against their own devices, and SIGTERM in the middle (issue
# 15): the hostile guest (hostile.mode=race, -smp 2) drives its drive (a
# 64 GiB sparse image) and its NIC (a persistent TAP on a bridge, in a
# private namespace) from one CPU, with legal requests up to ~1 GiB and
# TX frames, while the other CPU rewrites descriptors, lengths, links,
# indirect tables, avail entries and indexes under the devices and resets
# them.  Each of three runs is stopped with SIGTERM at a different moment
# of that: minivmm must exit 7 within 1 s after a full teardown (-stats
# printed, no vCPU left behind), with tap0 down and off br0 again, the
# image's size and marker as they were, and no sanitizer report.
# timeout: 300
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM GUEST_DIR
HOSTILE=$GUEST_DIR/hostile/hostile.bzImage
[ -f "$HOSTILE" ] || fail "no $HOSTILE"
skip_unless_tap

bridge_ns race
nsrun ip tuntap add dev tap0 mode tap || fail "cannot create a persistent TAP"

IMG=$WORK/race.img
MARK=$((8 << 30))
truncate -s 64G "$IMG" || fail "cannot make a 64 GiB sparse image"
printf 'RACE-MARKER' | dd of="$IMG" bs=1 seek=$MARK conv=notrunc status=none

# progress NAME: the AP's action count in the last progress line.
progress() {
	tr -d '\r' <"$WORK/$1.raw" | sed -n 's/^HOSTILE race.progress .*ap_actions=\([0-9]*\).*/\1/p' | tail -n 1
}
give_up() {
	kill -KILL $PID 2>/dev/null
	wait $PID 2>/dev/null
	PID=
	tr -d '\r' <"$WORK/$1.raw" >"$WORK/$1.out"
	show_run "$1"
	fail "$1: $2"
}

# race NAME SECONDS: boot, let both CPUs work SECONDS after the second
# one is seen busy, SIGTERM, check the exit.
race() {
	local name=$1 i a0 a1
	ip netns exec "$NS" "$MINIVMM" -kernel "$HOSTILE" -smp 2 -m 128 -rng off \
		-serial stdio -stats -append "hostile.mode=race" \
		-drive file="$IMG" -tap tap0,bridge=br0 \
		</dev/null >"$WORK/$name.raw" 2>"$WORK/$name.err" &
	PID=$!
	for ((i = 0; i < 4500; i++)); do
		a0=$(progress "$name")
		[ -n "$a0" ] && [ "$a0" -gt 0 ] && break
		tr -d '\r' <"$WORK/$name.raw" | grep -aq 'race.verdict=FAIL' && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.02
	done
	[ -n "$a0" ] && [ "$a0" -gt 0 ] || give_up "$name" "the second CPU never got to work"
	[ "$(tap_state)" = "up master" ] || give_up "$name" "tap0 is $(tap_state) while minivmm runs"
	sleep "$2"
	a1=$(progress "$name")
	kill -TERM $PID
	wait_exit "$name" 5 "after SIGTERM"
	echo "$name: SIGTERM after ${2}s of racing (AP actions $a0 -> $a1): exit $RC in $EXIT_MS ms, tap0 $(tap_state)"
	grep -a '^HOSTILE race.progress' "$WORK/$name.out" | tail -n 1
	grep -a 'virtio-blk0:\|^net tap0' "$WORK/$name.err" | head -n 2
	expect_rc "$name" 7
	(( EXIT_MS < 1000 )) || { show_run "$name"; fail "$name: exit took $EXIT_MS ms after SIGTERM (want < 1000)"; }
	(( a1 > a0 )) || { show_run "$name"; fail "$name: the second CPU made no progress in ${2}s ($a0 -> $a1 actions): a reset held up by the device?"; }
	grep -aq 'virtio-blk0:' "$WORK/$name.err" || { show_run "$name"; fail "$name: no -stats (no orderly teardown)"; }
	grep -aqE 'does not stop|Sanitizer|runtime error:|seccomp:' "$WORK/$name.err" &&
		{ show_run "$name"; fail "$name: $(grep -aE 'does not stop|Sanitizer|runtime error:|seccomp:' "$WORK/$name.err" | head -n 1)"; }
	[ "$(tap_state)" = "down nomaster" ] || { show_run "$name"; fail "$name: tap0 left $(tap_state)"; }
}

[ "$(tap_state)" = "down nomaster" ] || fail "tap0 starts $(tap_state)"
race early 0.5
race mid 1.5
race late 4
[ "$(stat -c %s "$IMG")" = $((64 << 30)) ] || fail "the image's size changed: $(stat -c %s "$IMG")"
[ "$(dd if="$IMG" bs=1 skip=$MARK count=11 status=none)" = RACE-MARKER ] ||
	fail "the image's marker changed"
echo "PASS: two racing vCPUs, SIGTERM at three moments: exit 7 in < 1 s, tap0 put back, image intact"
