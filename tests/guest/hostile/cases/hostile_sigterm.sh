#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM in the middle of each attack of the hostile guest (issue 15):
# with hostile.loop=NAME the guest repeats one attack of its default run
# (ports, virtio registers, queue set-ups, malformed chains, notification
# flood, reset mid-request, overlaid rings) until the host stops it.  For
# each, minivmm must exit 7 within 1 s of SIGTERM after a full teardown
# (-stats printed, no vCPU left behind), with both images and a canary
# file unchanged.
# timeout: 240
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM GUEST_DIR
HOSTILE=$GUEST_DIR/hostile/hostile.bzImage
[ -f "$HOSTILE" ] || fail "no $HOSTILE"

hostile_images	# the default run's drives
sums_before=$(host_sums)
PID=
trap '[ -n "$PID" ] && kill -KILL $PID 2>/dev/null; rm -rf "$WORK"' EXIT

# stop_during ATTACK: boot with hostile.loop=ATTACK, SIGTERM once it runs.
stop_during() {
	local a=$1 i
	"$MINIVMM" -kernel "$HOSTILE" -m 64 -serial stdio -rng off -stats \
		-append "hostile.loop=$a" \
		-drive file="$WORK/victim.img" -drive file="$WORK/innocent.img" \
		</dev/null >"$WORK/$a.raw" 2>"$WORK/$a.err" &
	PID=$!
	for ((i = 0; i < 3000; i++)); do
		grep -aq "^HOSTILE loop=$a" "$WORK/$a.raw" && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.02
	done
	if ! grep -aq "^HOSTILE loop=$a" "$WORK/$a.raw"; then
		kill -KILL $PID 2>/dev/null
		wait $PID
		PID=
		tr -d '\r' <"$WORK/$a.raw" >"$WORK/$a.out"
		show_run "$a"
		fail "$a: the guest never started the attack"
	fi
	sleep 0.3	# well into its repetitions
	kill -TERM $PID
	wait_exit "$a" 5 "after SIGTERM"
	echo "$a: $(grep -ac '^HOSTILE loop=\|phase=' "$WORK/$a.out") lines of attack; SIGTERM to exit $EXIT_MS ms, exit $RC"
	expect_rc "$a" 7
	(( EXIT_MS < 1000 )) || { show_run "$a"; fail "$a: exit took $EXIT_MS ms after SIGTERM (want < 1000)"; }
	grep -aq 'virtio-blk1:' "$WORK/$a.err" || { show_run "$a"; fail "$a: no -stats (no orderly teardown)"; }
	grep -aqE 'does not stop|Sanitizer|runtime error:|seccomp:' "$WORK/$a.err" &&
		{ show_run "$a"; fail "$a: $(grep -aE 'does not stop|Sanitizer|runtime error:|seccomp:' "$WORK/$a.err" | head -n 1)"; }
	[ "$(host_sums)" = "$sums_before" ] || fail "$a: host files changed: $(host_sums)"
}

for a in ports mmio queues chains flood reset alias; do
	stop_during "$a"
done
echo "PASS: SIGTERM during each attack: exit 7 in < 1 s, teardown complete, images intact"
