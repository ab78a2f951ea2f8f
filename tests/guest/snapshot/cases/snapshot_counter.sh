#!/bin/bash
# SPDX-License-Identifier: MIT
# Save and restore (docs/snapshots.md) with the counting guest:
# - a reference run counts to the end uninterrupted;
# - a second run is saved mid-count over QMP (x-minivmm-save, quit) and
#   exits 7; its output followed by a -restore run's output is exactly
#   the reference output (nothing lost, nothing repeated, the guest's
#   memory checks all pass), and the restored guest powers off (exit 0);
# - a second -restore of the same file prints the same bytes;
# - the RAM in the file is sparse (most of the 64 MiB are holes).
# (The refusals of damaged or foreign files: snapshot_refusals.sh; the
# command-line ones: tests/cli/bad_input.sh.)
# timeout: 300
. "${GUEST_CASES_DIR:-$(dirname "$0")/../../cases}/common.bash"
need MINIVMM GUEST_DIR
img=$GUEST_DIR/snapshot/counter.bzImage
tool=$(dirname "$0")/../snapshot_tool.py
sock=$WORK/vm.qmp
snap=$WORK/vm.snap
[ -f "$img" ] || fail "no $img"

# run NAME ARGS...: minivmm with the serial port in $WORK/NAME.out
run() {
	local name=$1
	shift
	timeout -k 5 120 "$MINIVMM" -serial "file:$WORK/$name.raw" "$@" \
		</dev/null 2>"$WORK/$name.err"
	RC=$?
	tr -d '\r' <"$WORK/$name.raw" >"$WORK/$name.out"
}

run ref -kernel "$img" -m 64
expect_rc ref 0
grep -q "^COUNT done$" "$WORK/ref.out" || { show_run ref; fail "the reference run did not count to the end"; }

# Saved once it has counted to 20 or more.
timeout -k 5 120 "$MINIVMM" -kernel "$img" -m 64 -serial "file:$WORK/a.raw" \
	-qmp "unix:$sock,server=on,wait=off" </dev/null 2>"$WORK/a.err" &
pid=$!
for _ in $(seq 600); do
	n=$(grep -c '^COUNT [0-9]' "$WORK/a.raw" 2>/dev/null)
	[ "${n:-0}" -ge 20 ] && break
	sleep 0.05
done
python3 "$tool" save "$sock" "$snap" --quit || { kill "$pid"; cat "$WORK/a.err" >&2; fail "x-minivmm-save failed"; }
wait "$pid"
RC=$?
tr -d '\r' <"$WORK/a.raw" >"$WORK/a.out"
expect_rc a 7
grep -q "^COUNT done$" "$WORK/a.out" && fail "the guest finished before the save: nothing to test"
saved_at=$(grep -c '^COUNT [0-9]' "$WORK/a.out")
echo "saved after $saved_at lines: $(grep 'saved the VM' "$WORK/a.err")"

apparent=$(stat -c %s "$snap")
used=$(($(stat -c %b "$snap") * $(stat -c %B "$snap")))
echo "snapshot: $apparent bytes, $used on disk"
[ "$used" -lt $((apparent / 4)) ] || fail "the snapshot is not sparse ($used of $apparent bytes on disk)"

run b -restore "$snap"
expect_rc b 0
cat "$WORK/a.out" "$WORK/b.out" >"$WORK/ab.out"
if ! cmp -s "$WORK/ab.out" "$WORK/ref.out"; then
	diff "$WORK/ref.out" "$WORK/ab.out" | head -20 >&2
	show_run b
	fail "saved + restored output differs from the uninterrupted run"
fi
grep -q "BAD" "$WORK/b.out" && fail "the restored guest found its memory changed"

run c -restore "$snap"
expect_rc c 0
cmp -s "$WORK/b.out" "$WORK/c.out" || { diff "$WORK/b.out" "$WORK/c.out" | head >&2; fail "two restores of one file differ"; }
echo "PASS: saved after $saved_at lines, restored twice identically, sparse"
