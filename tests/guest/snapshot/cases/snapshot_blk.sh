#!/bin/bash
# SPDX-License-Identifier: MIT
# Save and restore in the middle of virtio-blk traffic (docs/snapshots.md):
# the disk guest writes and reads back numbered sectors; a reference run
# goes to the end on its own image.  A second run on another image is
# saved mid-way (x-minivmm-save, quit; in-flight requests are drained) and
# restored with the same -drive: its output before and after is exactly
# the reference output (no request lost or done twice, every sector
# checked again at the end); restored once with -snapshot (the image
# stays as saved) and once without, both runs print the same, and the
# image ends up byte-identical to the reference run's.  Then the
# refusals: the image has changed since the snapshot (the second restore
# wrote to it), the image is missing, a different number of -drive
# options, and saving a VM whose disk has snapshot=on.
# timeout: 300
. "${GUEST_CASES_DIR:-$(dirname "$0")/../../cases}/common.bash"
need MINIVMM GUEST_DIR
img=$GUEST_DIR/snapshot/blkcount.bzImage
tool=$(dirname "$0")/../snapshot_tool.py
sock=$WORK/vm.qmp
snap=$WORK/vm.snap
[ -f "$img" ] || fail "no $img"
truncate -s 1M "$WORK/ref.img" "$WORK/disk.img"

run() {
	local name=$1
	shift
	timeout -k 5 120 "$MINIVMM" -serial "file:$WORK/$name.raw" "$@" \
		</dev/null 2>"$WORK/$name.err"
	RC=$?
	tr -d '\r' <"$WORK/$name.raw" >"$WORK/$name.out"
}

# start_and_save NAME SAVE-ARGS MINIVMM-ARGS...: run, save once 20 sectors are done.
start_and_save() {
	local name=$1 quit=$2
	shift 2
	rm -f "$sock"
	timeout -k 5 120 "$MINIVMM" -kernel "$img" -m 64 -serial "file:$WORK/$name.raw" \
		-qmp "unix:$sock,server=on,wait=off" "$@" </dev/null 2>"$WORK/$name.err" &
	pid=$!
	for _ in $(seq 600); do
		n=$(grep -c '^BLK [0-9]* ok' "$WORK/$name.raw" 2>/dev/null)
		[ "${n:-0}" -ge 20 ] && break
		sleep 0.05
	done
	python3 "$tool" save "$sock" "$snap" $quit >"$WORK/$name.qmp"
	SAVE_RC=$?
}

run ref -kernel "$img" -m 64 -drive "file=$WORK/ref.img,format=raw"
expect_rc ref 0
grep -q "^BLK final ok$" "$WORK/ref.out" || { show_run ref; fail "the reference run did not end well"; }

start_and_save a --quit -drive "file=$WORK/disk.img,format=raw"
[ "$SAVE_RC" = 0 ] || { kill "$pid"; cat "$WORK/a.qmp" "$WORK/a.err" >&2; fail "x-minivmm-save failed"; }
wait "$pid"
RC=$?
tr -d '\r' <"$WORK/a.raw" >"$WORK/a.out"
expect_rc a 7
grep -q "^BLK final" "$WORK/a.out" && fail "the guest finished before the save: nothing to test"
echo "saved after $(grep -c '^BLK [0-9]' "$WORK/a.out") sectors"

# First with -snapshot: the restored guest's writes go to a throwaway
# overlay, the image stays as saved, so it can be restored again.
run b -restore "$snap" -drive "file=$WORK/disk.img,format=raw" -snapshot
expect_rc b 0
cat "$WORK/a.out" "$WORK/b.out" >"$WORK/ab.out"
if ! cmp -s "$WORK/ab.out" "$WORK/ref.out"; then
	diff "$WORK/ref.out" "$WORK/ab.out" | head -20 >&2
	show_run b
	fail "saved + restored output differs from the uninterrupted run"
fi
run c -restore "$snap" -drive "file=$WORK/disk.img,format=raw"
expect_rc c 0
cmp -s "$WORK/b.out" "$WORK/c.out" || { diff "$WORK/b.out" "$WORK/c.out" | head >&2; fail "two restores differ"; }
cmp "$WORK/ref.img" "$WORK/disk.img" || fail "the restored run's image differs from the reference run's"

# refuse NAME WANT-TEXT MINIVMM-ARGS...: one line, exit 1.
refuse() {
	local name=$1 want=$2
	shift 2
	run "$name" "$@"
	expect_rc "$name" 1
	[ "$(wc -l <"$WORK/$name.err")" = 1 ] || { cat "$WORK/$name.err" >&2; fail "$name: not one line"; }
	grep -q "$want" "$WORK/$name.err" || { cat "$WORK/$name.err" >&2; fail "$name: no '$want'"; }
	echo "refused ($name): $(cat "$WORK/$name.err")"
}
refuse changed "is not the image the snapshot was taken with" \
	-restore "$snap" -drive "file=$WORK/disk.img,format=raw"
mv "$WORK/disk.img" "$WORK/moved.img"
refuse missing "disk 0 (.*disk.img): No such file" \
	-restore "$snap" -drive "file=$WORK/disk.img,format=raw"
refuse count "the snapshot has 1 disks, the command line 0" -restore "$snap"

# Started paused (-S): the refusal must not race with the guest's own end.
rm -f "$sock"
timeout -k 5 120 "$MINIVMM" -S -kernel "$img" -m 64 -serial "file:$WORK/s.raw" \
	-qmp "unix:$sock,server=on,wait=off" -drive "file=$WORK/ref.img,format=raw,snapshot=on" \
	</dev/null 2>"$WORK/s.err" &
pid=$!
python3 "$tool" save "$sock" "$snap" >"$WORK/s.qmp"
grep -q "snapshot=on" "$WORK/s.qmp" || { cat "$WORK/s.qmp" >&2; fail "saving with snapshot=on was not refused"; }
python3 "$tool" quit "$sock" >/dev/null
wait "$pid"
echo "PASS: saved mid-traffic, restored without a lost or repeated request, images equal, 4 refusals"
