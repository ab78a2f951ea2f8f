#!/bin/bash
# SPDX-License-Identifier: MIT
# The hostile guest attacks its own VM (ports, virtio registers, queue
# set-ups, overlapping rings, malformed chains, notification floods, reset
# mid-request) and then reads an innocent second drive.  minivmm must stay alive with
# bounded RSS and descriptors, flag the victim DEVICE_NEEDS_RESET, keep the
# innocent drive working, touch no host file, and exit 0 at power-off.
# timeout: 120
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM GUEST_DIR
HOSTILE=$GUEST_DIR/hostile/hostile.bzImage
[ -f "$HOSTILE" ] || fail "no $HOSTILE"
# No SSE/AVX/popcnt/crc32: they end the VM on emulating KVMs.
if [ -n "${OBJDUMP:-}" ] && "$OBJDUMP" -d "${HOSTILE%.bzImage}.elf" |
	grep -qE '%[xy]mm|popcnt|crc32'; then
	fail "hostile.elf uses SSE/popcnt/crc32 instructions"
fi

hostile_images
sums_before=$(host_sums)
# Anything minivmm writes becomes newer than the stamp.
touch -d '2 minutes ago' "$WORK/victim.img" "$WORK/innocent.img" "$WORK/canary/file"
touch -d '1 minute ago' "$WORK/stamp"

cd "$WORK"
# -rng off: exactly the two drives in the virtio-mmio windows.
"$MINIVMM" -kernel "$HOSTILE" -m 64 -serial stdio -rng off \
	-drive file="$WORK/victim.img" -drive file="$WORK/innocent.img" \
	</dev/null >"$WORK/hostile.raw" 2>"$WORK/hostile.err" &
pid=$!
max_rss=0 max_fds=0 samples=0
while kill -0 $pid 2>/dev/null; do
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$pid/status 2>/dev/null)
	fds=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
	[ -n "$rss" ] && (( rss > max_rss )) && max_rss=$rss
	(( fds > max_fds )) && max_fds=$fds
	samples=$((samples + 1))
	# It needs about a second; a device that spins under its lock makes
	# minivmm deaf to SIGTERM, hence SIGKILL.
	if (( samples >= 600 )); then
		kill -KILL $pid
		tr -d '\r' <"$WORK/hostile.raw" | tail -n 5 >&2
		fail "minivmm still running after 30 s (last lines above)"
	fi
	sleep 0.05
done
wait $pid
RC=$?
tr -d '\r' <"$WORK/hostile.raw" >"$WORK/hostile.out"
OUT=$WORK/hostile.out
ERR=$WORK/hostile.err
echo "exit $RC, $samples samples, max RSS ${max_rss} kB, max fds $max_fds"
grep -a '^HOSTILE ' "$OUT" | grep -v 'phase=' || true

expect_rc hostile 0
hv() {
	grep -a "^HOSTILE .*$1=" "$OUT" | head -n 1 | sed "s/.*$1=\([^ ]*\).*/\1/"
}
grep -aqx 'HOSTILE verdict=PASS' "$OUT" || { show_run hostile; fail "no PASS verdict"; }
expect_eq innocent.read "$(hv innocent.read)" ok
expect_eq victim.recovered "$(hv victim.recovered)" ok
# The two drives (-rng off above).
expect_eq mmio.devices "$(hv mmio.devices)" 2
# Every malformed chain and insane ring must end in DEVICE_NEEDS_RESET.
for c in chain.loop chain.outside_ram chain.gigantic chain.nested_indirect \
	chain.next_oob chain.indirect_outside avail.head_oob avail.idx_jump; do
	line=$(grep -a "^HOSTILE case=$c " "$OUT")
	[[ $line == *result=needs_reset* ]] || fail "$c: no DEVICE_NEEDS_RESET ($line)"
done
# Queue set-ups outside RAM, misaligned or with bad sizes are refused.
for c in q.outside_ram q.above_4g q.unaligned q.straddle_ram_end q.num_0 \
	q.num_3 q.num_65535 q.wrap_64bit; do
	line=$(grep -a "^HOSTILE case=$c " "$OUT")
	[[ $line == *ready=0* ]] || fail "$c: queue accepted ($line)"
done
# Rings laid over each other (used->flags on avail->idx): no spinning
# device, the reset completes.
[[ $(grep -a '^HOSTILE case=alias.flags_idx ' "$OUT") == *reset=ok* ]] ||
	fail "alias.flags_idx: the device did not reset"
# A zero-length header is an I/O error, not a crash.
[[ $(grep -a '^HOSTILE case=chain.zero_len ' "$OUT") == *blk=1* ]] ||
	fail "chain.zero_len: not VIRTIO_BLK_S_IOERR"

# Bounded resources: 64 MiB of guest RAM plus a modest VMM.
(( max_rss > 0 && max_rss < 64 * 1024 + 96 * 1024 )) ||
	fail "RSS peaked at $max_rss kB"
(( max_fds > 0 && max_fds <= 40 )) || fail "$max_fds descriptors open"

sums_after=$(host_sums)
[ "$sums_before" = "$sums_after" ] || fail "host files changed: $sums_after"
newer=$(find "$WORK" -newer "$WORK/stamp" -type f ! -name 'hostile.*' ! -name stamp)
[ -z "$newer" ] || fail "files written on the host: $newer"
echo "PASS: minivmm survived the hostile guest; innocent drive intact"
