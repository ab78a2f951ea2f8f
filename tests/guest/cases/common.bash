# SPDX-License-Identifier: MIT
# Sourced by the layer-2 cases: run the boot-info guest under minivmm and
# read its "BOOTINFO key=value" lines.
# Environment (set by CTest, tests/guest/CMakeLists.txt): MINIVMM,
# BOOTINFO_BZIMAGE, BOOTINFO_ELF, BOOTINFO_SUM, GUEST_DIR, OBJDUMP, QEMU.
set -u

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mvt-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RUN_TIMEOUT=${RUN_TIMEOUT:-60}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

need() {
	local v
	for v in "$@"; do
		[ -n "${!v:-}" ] || fail "environment variable $v is not set"
	done
}

# Show what the guest said and what minivmm said (on failures).
show_run() {
	echo "--- serial output of '$1' (last 40 lines):" >&2
	tail -n 40 "$WORK/$1.out" >&2
	echo "--- stderr of '$1' (last 40 lines):" >&2
	tail -n 40 "$WORK/$1.err" >&2
}

# bootinfo_run NAME [minivmm arguments...]
# Boots bootinfo.bzImage; sets RC, OUT (serial, \r removed) and ERR.
bootinfo_run() {
	local name=$1 t0 t1
	shift
	need MINIVMM BOOTINFO_BZIMAGE
	t0=$(date +%s%N)
	timeout -k 5 "$RUN_TIMEOUT" "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" \
		-serial stdio "$@" </dev/null >"$WORK/$name.raw" 2>"$WORK/$name.err"
	RC=$?
	t1=$(date +%s%N)
	tr -d '\r' <"$WORK/$name.raw" >"$WORK/$name.out"
	OUT=$WORK/$name.out
	ERR=$WORK/$name.err
	echo "run $name: exit $RC in $(((t1 - t0) / 1000000)) ms"
	if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		show_run "$name"
		fail "$name: minivmm did not finish within ${RUN_TIMEOUT}s"
	fi
}

# start_halted NAME [minivmm args...]: boots bootinfo with action=halt in
# the background (HALT_MEM_MB of RAM, 64 unless set); sets PID once the
# guest printed "GUEST halt".
start_halted() {
	local name=$1
	shift
	"$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial stdio -m "${HALT_MEM_MB:-64}" \
		-append "console=ttyS0 bootinfo.action=halt" "$@" </dev/null \
		>"$WORK/$name.raw" 2>"$WORK/$name.err" &
	PID=$!
	for _ in $(seq 600); do
		grep -q 'GUEST halt' "$WORK/$name.raw" && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.1
	done
	tr -d '\r' <"$WORK/$name.raw" >"$WORK/$name.out"
	if ! grep -q 'GUEST halt' "$WORK/$name.out"; then
		kill -KILL $PID 2>/dev/null
		wait $PID
		show_run "$name"
		fail "$name: the guest did not reach its halt"
	fi
}

# wait_exit NAME SECONDS WHY: give the minivmm in $PID up to SECONDS (a
# whole number, wall clock) to end, looking every 10 ms; sets RC to its
# exit code, EXIT_MS to the ms waited, writes $WORK/NAME.out from NAME.raw
# (\r removed) and clears PID.  If it still runs then, it is killed, the
# run shown, and the case fails with "NAME: minivmm still runs N ms WHY"
# (WHY says what should have ended it: "after SIGTERM", ...).
wait_exit() {
	local t0

	t0=${EPOCHREALTIME//[!0-9]/}
	while kill -0 "$PID" 2>/dev/null &&
		(( ${EPOCHREALTIME//[!0-9]/} - t0 < $2 * 1000000 )); do
		sleep 0.01
	done
	EXIT_MS=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID"
		wait "$PID"
		PID=
		tr -d '\r' <"$WORK/$1.raw" >"$WORK/$1.out"
		show_run "$1"
		fail "$1: minivmm still runs $EXIT_MS ms $3"
	fi
	wait "$PID"
	RC=$?
	PID=
	tr -d '\r' <"$WORK/$1.raw" >"$WORK/$1.out"
}

# stop_halted NAME: SIGTERM, up to 10 s for the exit, expect exit code 7.
stop_halted() {
	kill -TERM "$PID"
	wait_exit "$1" 10 "after SIGTERM"
	expect_rc "$1" 7
}

# expect_rc NAME WANT: the last run exited with WANT.
expect_rc() {
	if [ "$RC" != "$2" ]; then
		show_run "$1"
		fail "$1: exit code $RC, expected $2"
	fi
}

# expect_complete NAME: the guest printed everything up to "BOOTINFO end".
expect_complete() {
	if ! grep -qx 'BOOTINFO start' "$OUT" || ! grep -qx 'BOOTINFO end' "$OUT"; then
		show_run "$1"
		fail "$1: the guest did not print BOOTINFO start ... end"
	fi
}

# bi KEY: value of the first "BOOTINFO KEY=" line of the last run.
bi() {
	sed -n "s/^BOOTINFO $1=//p" "$OUT" | head -n 1
}

# bi_all KEY: values of every "BOOTINFO KEY=" line, one per line.
bi_all() {
	sed -n "s/^BOOTINFO $1=//p" "$OUT"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# is_ram ADDR LEN: [ADDR, ADDR+LEN) lies inside one e820 RAM entry.
is_ram() {
	local a s t
	while read -r a s t; do
		[ "$t" = 1 ] || continue
		if (( $1 >= a && $1 + $2 <= a + s )); then
			return 0
		fi
	done < <(bi_all e820)
	return 1
}

# overlaps_ram START END: some RAM entry intersects [START, END).
overlaps_ram() {
	local a s t
	while read -r a s t; do
		[ "$t" = 1 ] || continue
		if (( a < $2 && a + s > $1 )); then
			return 0
		fi
	done < <(bi_all e820)
	return 1
}

# image_init_size: init_size of the bzImage header (memory the image needs).
image_init_size() {
	od -An -t u4 -j $((0x260)) -N 4 "$BOOTINFO_BZIMAGE" | tr -d ' '
}

# skip_unless_tap: exit 77 (skip) unless the case may make a network
# namespace and TAPs (root, /dev/net/tun).
skip_unless_tap() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, TAP)"; exit 77; }
	[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
}

# bridge_ns SUFFIX: a private network namespace $NS (mvt-<pid>-SUFFIX) with
# lo and the bridge br0 up; nsrun COMMAND... runs in it.  At exit every
# process still in it is killed, and it is removed with $WORK.
bridge_ns() {
	NS=mvt-$$-$1
	trap bridge_ns_remove EXIT
	ip netns add "$NS" || fail "cannot create a network namespace"
	nsrun ip link set lo up
	nsrun ip link add br0 type bridge || fail "no bridge support"
	nsrun ip link set br0 up
}

bridge_ns_remove() {
	local pids
	pids=$(ip netns pids "$NS" 2>/dev/null)
	# shellcheck disable=SC2086 # one pid a word
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WORK"
}

nsrun() {
	ip netns exec "$NS" "$@"
}
