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
. "$(dirname "$0")/snapshot.bash"
img=$GUEST_DIR/snapshot/blkcount.bzImage
[ -f "$img" ] || fail "no $img"
truncate -s 1M "$WORK/ref.img" "$WORK/disk.img"

run ref -kernel "$img" -m 64 -drive "file=$WORK/ref.img,format=raw"
expect_rc ref 0
grep -q "^BLK final ok$" "$WORK/ref.out" || { show_run ref; fail "the reference run did not end well"; }

# Saved once 20 sectors are done.
start_qmp a -kernel "$img" -m 64 -drive "file=$WORK/disk.img,format=raw"
wait_lines a '^BLK [0-9]* ok' 20
save_quit a
expect_rc a 7
grep -q "^BLK final" "$WORK/a.out" && fail "the guest finished before the save: nothing to test"
echo "saved after $(grep -c '^BLK [0-9]' "$WORK/a.out") sectors"

# First with -snapshot: the restored guest's writes go to a throwaway
# overlay, the image stays as saved, so it can be restored again.
run b -restore "$snap" -drive "file=$WORK/disk.img,format=raw" -snapshot
expect_rc b 0
expect_resumed a b
run c -restore "$snap" -drive "file=$WORK/disk.img,format=raw"
expect_rc c 0
expect_same_output b c
cmp "$WORK/ref.img" "$WORK/disk.img" || fail "the restored run's image differs from the reference run's"

# refuse NAME WANT-TEXT MINIVMM-ARGS...: one line, exit 1.
refuse() {
	local name=$1 want=$2
	shift 2
	run "$name" "$@"
	expect_refused "$name" "$want"
}
refuse changed "is not the image the snapshot was taken with" \
	-restore "$snap" -drive "file=$WORK/disk.img,format=raw"
mv "$WORK/disk.img" "$WORK/moved.img"
refuse missing "disk 0 (.*disk.img): No such file" \
	-restore "$snap" -drive "file=$WORK/disk.img,format=raw"
refuse count "the snapshot has 1 disks, the command line 0" -restore "$snap"

# Started paused (-S): the refusal must not race with the guest's own end.
start_qmp s -S -kernel "$img" -m 64 -drive "file=$WORK/ref.img,format=raw,snapshot=on"
python3 "$tool" save "$sock" "$snap" >"$WORK/s.qmp"
grep -q "snapshot=on" "$WORK/s.qmp" || { cat "$WORK/s.qmp" >&2; fail "saving with snapshot=on was not refused"; }
python3 "$tool" quit "$sock" >/dev/null
finish s
echo "PASS: saved mid-traffic, restored without a lost or repeated request, images equal, 4 refusals"
