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
. "$(dirname "$0")/snapshot.bash"
img=$GUEST_DIR/snapshot/counter.bzImage
[ -f "$img" ] || fail "no $img"

run ref -kernel "$img" -m 64
expect_rc ref 0
grep -q "^COUNT done$" "$WORK/ref.out" || { show_run ref; fail "the reference run did not count to the end"; }

# Saved once it has counted to 20 or more.
start_qmp a -kernel "$img" -m 64
wait_lines a '^COUNT [0-9]' 20
save_quit a
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
expect_resumed a b
grep -q "BAD" "$WORK/b.out" && fail "the restored guest found its memory changed"

run c -restore "$snap"
expect_rc c 0
expect_same_output b c
echo "PASS: saved after $saved_at lines, restored twice identically, sparse"
