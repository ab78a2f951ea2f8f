#!/bin/bash
# SPDX-License-Identifier: MIT
# Save and restore in the middle of virtio-net traffic (docs/snapshots.md),
# over real TAPs on a bridge in a private network namespace: the network
# guest sends numbered frames (and takes the host's numbered frames);
# netpeer.py on the bridge records every frame it sees.  The VM is saved
# mid-way (x-minivmm-save, quit) and restored on ANOTHER TAP (tap1: the
# TAP may differ, the MAC comes from the snapshot).  Every number from 1
# to the end must reach the bridge exactly once (no frame lost or sent
# twice across the save), the guest must receive after the restore and
# find no frame delivered twice or damaged, and its console output before
# and after adds up to one whole run.  Then: a -tap whose mac= differs
# from the saved one, and a different number of -tap options, are
# refused; so is saving a VM with -share (virtio-fs).
# timeout: 300
. "$(dirname "$0")/snapshot.bash"
img=$GUEST_DIR/snapshot/netcount.bzImage
[ -f "$img" ] || fail "no $img"
skip_unless_tap

# minivmm and netpeer.py run in the namespace (killed with it at exit).
bridge_ns snet
VM_PREFIX=(ip netns exec "$NS")
# Not through nsrun (a function): $! must be the peer's own pid.
ip netns exec "$NS" python3 "$(dirname "$0")/../netpeer.py" br0 "$WORK/seen" "$WORK/ready" \
	2>"$WORK/peer.err" &
peer=$!
for _ in $(seq 100); do
	[ -e "$WORK/ready" ] && break
	sleep 0.05
done
[ -e "$WORK/ready" ] || { cat "$WORK/peer.err" >&2; fail "netpeer.py did not start"; }

# 1. Saved once 30 frames are out, on tap0.
start_qmp a -kernel "$img" -m 64 -tap tap0,bridge=br0
for _ in $(seq 1200); do
	grep -q '^NET 30' "$WORK/a.raw" 2>/dev/null && break
	sleep 0.05
done
save_quit a
expect_rc a 7
grep -q "^NET final" "$WORK/a.out" && fail "the guest finished before the save: nothing to test"
before=$(wc -l <"$WORK/seen")
echo "saved after $before frames: $(grep 'saved the VM' "$WORK/a.err")"

# 2. Restored on tap1.
run b -restore "$snap" -tap tap1,bridge=br0
expect_rc b 0
# The last frames may still wait in the peer's socket: let it log them.
for _ in $(seq 100); do
	[ "$(wc -l <"$WORK/seen")" -ge 300 ] && break
	sleep 0.05
done
kill "$peer"
wait "$peer" 2>/dev/null
peer=
final=$(grep '^NET final' "$WORK/b.out") || { show_run b; fail "the restored guest did not finish"; }
echo "$final; the bridge saw $(wc -l <"$WORK/seen") frames"

# Every number once, in order, none damaged.
seq 1 300 >"$WORK/want"
if ! cmp -s "$WORK/want" "$WORK/seen"; then
	diff "$WORK/want" "$WORK/seen" | head -20 >&2
	show_run b
	fail "the frames on the bridge are not 1..300 exactly once"
fi
[[ $final =~ sent=([0-9]+)\ rx=([0-9]+)\ rxbad=([0-9]+) ]] || fail "no counters in '$final'"
[ "${BASH_REMATCH[3]}" = 0 ] || { show_run b; fail "the guest received damaged or repeated frames"; }
grep -q "NET rx bad" "$WORK/a.out" "$WORK/b.out" && fail "a bad frame reached the guest"
(( BASH_REMATCH[2] > 0 )) || fail "the guest received nothing"
# Console: "NET 10" ... "NET 300", each once, across the two runs.
cat "$WORK/a.out" "$WORK/b.out" | grep -E '^NET [0-9]+$' >"$WORK/lines"
seq 10 10 300 | sed 's/^/NET /' >"$WORK/want_lines"
cmp -s "$WORK/lines" "$WORK/want_lines" ||
	{ diff "$WORK/want_lines" "$WORK/lines" | head >&2; fail "console lines lost or repeated"; }
nsrun ip link show dev tap1 >/dev/null 2>&1 && fail "tap1 is still there"

# refuse NAME WANT ARGS...: one line on stderr, exit 1.
refuse() {
	local name=$1 want=$2
	shift 2
	run "$name" "$@"
	expect_refused "$name" "$want"
}
refuse mac "mac= differs from the saved VM's" \
	-restore "$snap" -tap tap1,bridge=br0,mac=02:00:00:00:00:01
refuse count "the snapshot has 1 network cards, the command line 0" -restore "$snap"

# 3. A VM with a share cannot be saved (virtio-fs keeps open files).
mkdir "$WORK/share"
start_qmp s -kernel "$GUEST_DIR/snapshot/counter.bzImage" -m 64 -share "$WORK/share,tag=s"
for _ in $(seq 200); do
	[ -S "$sock" ] && break
	sleep 0.05
done
python3 "$tool" save "$sock" "$WORK/s.snap" >"$WORK/s.qmp"
grep -q "cannot save: the VM has -share" "$WORK/s.qmp" || { cat "$WORK/s.qmp" >&2; fail "saving with -share was not refused"; }
[ -e "$WORK/s.snap" ] && fail "a refused save left a file"
python3 "$tool" quit "$sock" >/dev/null
finish s
echo "PASS: saved mid-traffic, restored on another TAP, frames 1..300 exactly once, 3 refusals"
