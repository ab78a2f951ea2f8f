#!/bin/bash
# SPDX-License-Identifier: MIT
# Crash consistency of qcow2 overlays: the guest streams numbered 4 KiB
# writes scattered over a qcow2 overlay of a raw golden image, FLUSHing
# every 8 and saying so on the console; minivmm is SIGKILLed at a random
# moment in the stream, 12 times (cluster sizes 64 KiB, 4 KiB, 512 B;
# cache writeback and writethrough).  After every kill qemu-img check finds
# no corruption (leaked clusters are allowed), every write the guest saw
# flushed is there and every other sector holds the old data or the new
# (vblk_crash_check.py); the golden image is unchanged.  Some crashed
# overlays are then opened again and written.
# A SIGKILL leaves the page cache intact, so this checks the order of
# minivmm's metadata writes against a process dying between any two of
# them, not a power cut.
# timeout: 600
. "$(dirname "$0")/vblk.bash"
command -v qemu-img >/dev/null || fail "qemu-img missing (scripts/install-deps.sh: qemu-utils)"
command -v python3 >/dev/null || fail "python3 missing"
check_py=$(dirname "$0")/../vblk_crash_check.py
ROUNDS=${VBLK_CRASH_ROUNDS:-12}
BLOCKS=2048				# 8 MiB of 4 KiB blocks

cd "$WORK" || fail "no $WORK"
make_image golden.raw $((BLOCKS * 4096))
golden_sha=$(sha256sum <golden.raw)
clusters=(65536 4096 512)
caches=(writeback writethrough)
killed=0

# qemu_check NAME: no corruption (exit 0 clean, 3 leaks only).
qemu_check() {
	qemu-img check -f qcow2 ov.qcow2 >"$1.check" 2>&1
	local rc=$?
	if [ $rc != 0 ] && [ $rc != 3 ]; then
		cat "$1.check" >&2
		fail "$1: qemu-img check exit $rc (corruption)"
	fi
	echo "$1: qemu-img check exit $rc ($(grep -Eo '[0-9]+ leaked clusters' "$1.check" || echo 'no leaks'))"
}

for ((r = 0; r < ROUNDS; r++)); do
	name=crash$r
	cs=${clusters[r % 3]}
	cache=${caches[r / 3 % 2]}
	seed=$((RANDOM % BLOCKS))
	rm -f ov.qcow2
	qemu-img create -q -f qcow2 -o cluster_size=$cs -b golden.raw -F raw ov.qcow2 ||
		fail "qemu-img create"
	"$MINIVMM" -kernel "$VBLK_BZIMAGE" -serial stdio \
		-append "vblk.stream=$BLOCKS vblk.seed=$seed" \
		-drive "file=$WORK/ov.qcow2,format=qcow2,cache=$cache" \
		</dev/null >"$name.raw" 2>"$name.err" &
	pid=$!
	# somewhere in the stream, whatever the guest's pace: once it has
	# flushed a random number of writes (up to 3/4 of the stream) or
	# after about 4 s, and 0 to 90 ms later
	target=$(((RANDOM * 32768 + RANDOM) % (BLOCKS * 3 / 4) + 8))
	for _ in $(seq 200); do
		seen=$(grep -o 'flushed=[0-9]*' "$name.raw" | tail -n 1)
		[ "${seen#flushed=}" -ge "$target" ] 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.02
	done
	grep -q 'flushed=' "$name.raw" || { kill -9 $pid; tr -d '\r' <"$name.raw" >"$name.out"; show_run "$name"; fail "$name: the stream did not start"; }
	sleep "0.0$((RANDOM % 10))"
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	tr -d '\r' <"$name.raw" >"$name.out"
	if grep -q '^VBLK 0.stream\.' "$name.out"; then
		show_run "$name"
		fail "$name: a request of the stream failed"
	fi
	flushed=$(sed -n 's/^VBLK 0.flushed=\([0-9]*\)$/\1/p' "$name.out" | tail -n 1)
	echo "$name: clusters $cs, cache=$cache, seed $seed, $flushed writes flushed before the kill ($SECONDS s)"
	qemu_check "$name"
	qemu-img convert -f qcow2 -O raw ov.qcow2 ov.raw || fail "$name: qemu-img convert"
	python3 "$check_py" ov.raw golden.raw "$seed" "$flushed" ||
		fail "$name: the overlay lost flushed writes or holds foreign data"
	if [ $((r % 4)) = 3 ]; then
		# the crashed overlay opens and takes writes again
		vblk_run "$name-again" -append vblk.write=1 \
			-drive "file=$WORK/ov.qcow2,format=qcow2"
		expect_done "$name-again"
		expect_vk "$name-again" 0.write.status 0
		expect_vk "$name-again" 0.flush.status 0
		expect_vk "$name-again" 0.readback pattern
		qemu_check "$name-again"
	fi
done
expect_eq "golden image after the crashes" "$(sha256sum <golden.raw)" "$golden_sha"
[ $killed -ge $((ROUNDS / 2)) ] ||
	fail "only $killed of $ROUNDS runs were killed in the stream (the guest wrote too fast)"
echo "PASS: $killed SIGKILLs in a qcow2 write stream: no corruption, flushed writes kept"
