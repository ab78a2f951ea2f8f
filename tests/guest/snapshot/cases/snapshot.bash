# SPDX-License-Identifier: MIT
# Sourced by the save/restore cases (docs/snapshots.md): run a test guest
# under minivmm in the foreground or the background (with a QMP socket),
# wait for its progress lines, save it, and check what a restore prints
# and what minivmm refuses.
# Sets: tool (snapshot_tool.py), sock (the QMP socket), snap (the file).
# VM_PREFIX: the command minivmm runs under (snapshot_net.sh: its namespace).
. "${GUEST_CASES_DIR:-$(dirname "${BASH_SOURCE[0]}")/../../cases}/common.bash"
need MINIVMM GUEST_DIR
tool=$(dirname "${BASH_SOURCE[0]}")/../snapshot_tool.py
sock=$WORK/vm.qmp
snap=$WORK/vm.snap
VM_PREFIX=()
pid=

# start NAME ARGS...: minivmm in the background ($pid), serial output in
# $WORK/NAME.raw, stderr in $WORK/NAME.err.
start() {
	local name=$1
	shift
	"${VM_PREFIX[@]}" timeout -k 5 120 "$MINIVMM" -serial "file:$WORK/$name.raw" \
		"$@" </dev/null 2>"$WORK/$name.err" &
	pid=$!
}

# start_qmp NAME ARGS...: start, with the QMP socket at $sock (a stale one
# from an earlier run removed first).
start_qmp() {
	local name=$1
	shift
	rm -f "$sock"
	start "$name" -qmp "unix:$sock,server=on,wait=off" "$@"
}

# finish NAME: wait for the minivmm in $pid; sets RC, the serial output
# (\r removed) in $WORK/NAME.out.
finish() {
	wait "$pid"
	RC=$?
	pid=
	tr -d '\r' <"$WORK/$1.raw" >"$WORK/$1.out"
}

# run NAME ARGS...: minivmm to its end; sets RC, output in $WORK/NAME.out.
run() {
	start "$@"
	finish "$1"
}

# wait_lines NAME PATTERN COUNT: until COUNT lines of NAME's serial output
# match PATTERN, 30 s at most (what follows tells whether it came there).
wait_lines() {
	local n
	for _ in $(seq 600); do
		n=$(grep -c "$2" "$WORK/$1.raw" 2>/dev/null)
		[ "${n:-0}" -ge "$3" ] && return
		sleep 0.05
	done
}

# save_quit NAME: x-minivmm-save NAME's VM to $snap and quit, then finish
# NAME (sets RC).  The QMP answers are in $WORK/NAME.qmp.
save_quit() {
	python3 "$tool" save "$sock" "$snap" --quit >"$WORK/$1.qmp" || {
		kill "$pid"
		cat "$WORK/$1.qmp" "$WORK/$1.err" >&2
		fail "x-minivmm-save failed"
	}
	finish "$1"
}

# expect_resumed SAVED RESTORED: SAVED's output up to the save followed by
# RESTORED's is exactly the uninterrupted run's (ref): nothing lost,
# nothing done twice.
expect_resumed() {
	local both=$WORK/$1+$2.out
	cat "$WORK/$1.out" "$WORK/$2.out" >"$both"
	if ! cmp -s "$both" "$WORK/ref.out"; then
		diff "$WORK/ref.out" "$both" | head -20 >&2
		show_run "$2"
		fail "saved + restored output differs from the uninterrupted run"
	fi
}

# expect_same_output A B: two restores of one file printed the same.
expect_same_output() {
	cmp -s "$WORK/$1.out" "$WORK/$2.out" ||
		{ diff "$WORK/$1.out" "$WORK/$2.out" | head >&2; fail "two restores of one file differ"; }
}

# expect_refused NAME WANT: the run NAME exited 1 with one line on stderr,
# which says WANT (a grep pattern).
expect_refused() {
	local name=$1 want=$2
	expect_rc "$name" 1
	[ "$(wc -l <"$WORK/$name.err")" = 1 ] || { cat "$WORK/$name.err" >&2; fail "$name: not one line"; }
	grep -q -- "$want" "$WORK/$name.err" || { cat "$WORK/$name.err" >&2; fail "$name: no '$want'"; }
	echo "refused ($name): $(cat "$WORK/$name.err")"
}
