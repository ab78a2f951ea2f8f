#!/bin/bash
# SPDX-License-Identifier: MIT
# The hostile guest against virtio-net over a real TAP (issue 15): in a
# private network namespace, with minivmm's TAP on a bridge, the guest
# (hostile.mode=net) sends malformed virtio-net headers (unknown flags, a
# checksum outside the frame, GSO without a size, unknown GSO types), a
# 1 MiB frame, a runt, a looping chain (DEVICE_NEEDS_RESET), then a flood
# of valid frames after the reset, and checks the device still sends.
# minivmm must exit 0 with bounded RSS, count the bad frames as TX errors
# and pass the good ones to the bridge.  Then hostile.mode=netflood floods
# TX until SIGTERM: exit 7 within 1 s, the TAP gone with minivmm.
# timeout: 180
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM GUEST_DIR
HOSTILE=$GUEST_DIR/hostile/hostile.bzImage
[ -f "$HOSTILE" ] || fail "no $HOSTILE"
skip_unless_tap

bridge_ns hnet

run_net() {
	local name=$1 mode=$2
	# Not through nsrun (a function: $! would be a subshell).
	ip netns exec "$NS" "$MINIVMM" -kernel "$HOSTILE" -m 64 -serial stdio -stats \
		-append "hostile.mode=$mode" -tap tap0,bridge=br0 \
		</dev/null >"$WORK/$name.raw" 2>"$WORK/$name.err" &
	PID=$!
}

# 1. The attacks, to power-off.
run_net net net
max_rss=0
for ((i = 0; i < 1200; i++)); do
	kill -0 $PID 2>/dev/null || break
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$PID/status 2>/dev/null)
	[ -n "$rss" ] && (( rss > max_rss )) && max_rss=$rss
	sleep 0.05
done
if kill -0 $PID 2>/dev/null; then
	kill -KILL $PID
	wait $PID
	tr -d '\r' <"$WORK/net.raw" >"$WORK/net.out"
	show_run net
	fail "minivmm still running after 60 s"
fi
wait $PID
RC=$?
PID=
tr -d '\r' <"$WORK/net.raw" >"$WORK/net.out"
OUT=$WORK/net.out
ERR=$WORK/net.err
grep -a '^HOSTILE ' "$OUT" | grep -v phase= || true
grep -a '^net ' "$ERR" | head -n 3
echo "max RSS ${max_rss} kB"
expect_rc net 0
grep -aqx 'HOSTILE net.verdict=PASS' "$OUT" || { show_run net; fail "no PASS verdict"; }
[[ $(grep -a '^HOSTILE case=net.loop ' "$OUT") == *result=needs_reset* ]] ||
	{ show_run net; fail "a looping TX chain did not end in DEVICE_NEEDS_RESET"; }
for c in net.bad_flags net.csum_outside net.gso_no_size net.gso_unknown net.oversized net.runt; do
	line=$(grep -a "^HOSTILE case=$c " "$OUT")
	[[ $line == *result=done*len=0* ]] || { show_run net; fail "$c: not dropped ($line)"; }
done
stats=$(grep -a '^net tap0: ' "$ERR" | head -n 1)
[[ $stats =~ tx\ packets=([0-9]+).*errors=([0-9]+) ]] || fail "no TX counters: $stats"
(( BASH_REMATCH[1] >= 400 )) || fail "the valid frames were not sent: $stats"
(( BASH_REMATCH[2] >= 6 )) || fail "the malformed frames were not counted: $stats"
(( max_rss > 0 && max_rss < 64 * 1024 + 96 * 1024 )) || fail "RSS peaked at $max_rss kB"
nsrun ip link show dev tap0 >/dev/null 2>&1 && fail "tap0 (created by minivmm) is still there"

# 2. A TX flood, stopped by SIGTERM.
run_net flood netflood
for ((i = 0; i < 1200; i++)); do
	tr -d '\r' <"$WORK/flood.raw" | grep -aq '^HOSTILE net.flooding' && break
	kill -0 $PID 2>/dev/null || break
	sleep 0.05
done
tr -d '\r' <"$WORK/flood.raw" | grep -aq '^HOSTILE net.flooding' ||
	{ kill -KILL $PID; wait $PID; tr -d '\r' <"$WORK/flood.raw" >"$WORK/flood.out"; show_run flood; fail "the flood did not start"; }
sleep 0.5
kill -TERM $PID
wait_exit flood 5 "after SIGTERM under a TX flood"
echo "TX flood: SIGTERM to exit $EXIT_MS ms; $(grep -a '^net tap0: ' "$WORK/flood.err" | head -n 1)"
expect_rc flood 7
(( EXIT_MS < 1000 )) || fail "exit took $EXIT_MS ms after SIGTERM"
nsrun ip link show dev tap0 >/dev/null 2>&1 && fail "tap0 is still there after the flood"
echo "PASS: virtio-net over a TAP survives malformed and flooding TX; SIGTERM < 1 s"
