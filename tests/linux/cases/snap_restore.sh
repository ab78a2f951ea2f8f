#!/bin/bash
# SPDX-License-Identifier: MIT
# Save and restore Debian's kernel (docs/snapshots.md): the guest, booted
# to its init, writes 4 MiB to its disk and pings the bridge, then waits;
# `minivmm ctl NAME save FILE --quit` saves it (exit 7).  Five seconds
# later `minivmm -restore` continues it on ANOTHER TAP with the same
# image: its clock must have moved on by the gap (date within seconds of
# the host's), the data written before the save must read back with the
# same sha256 through a dropped page cache, a write after the restore must
# read back, the bridge must answer its pings, a command must run, and
# the guest powers off (exit 0) with its script's rc 0.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/net_common.bash"

net_ns snap
ns=$NET_NS
net_bridge "$ns" br0 10.0.2.2/24
vmm=$(net_minivmm "$ns")
export MINIVMM_RUNTIME_DIR=$WORKDIR/run
mkdir -m 700 "$MINIVMM_RUNTIME_DIR"
truncate -s 16M "$WORKDIR/disk.img"
snap=$WORKDIR/vm.snap
log=$WORKDIR/snap_restore.log
seed=snap$$
# Milliseconds, from bash itself (busybox date has no %N in L1).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

MINIVMM=$vmm MVT_LOG=$log \
	MVT_APPEND="mvt.ip=10.0.2.15/24 mvt.peer=10.0.2.2 mvt.seed=$seed" \
	mvt_boot snap_restore -name snapvm -tap mvtap0,bridge=br0 \
	-drive "file=$WORKDIR/disk.img,format=raw" &
vm=$!
net_bg $vm
i=0
until grep -q '^MVT snap=ready' <(tr -d '\r' <"$log") 2>/dev/null; do
	kill -0 $vm 2>/dev/null || break
	i=$((i + 1))
	[ $i -le 1500 ] || break
	sleep 0.1
done
grep -q '^MVT snap=ready' <(tr -d '\r' <"$log") ||
	{ mvt_show "$log"; mvt_fail "the guest never became ready to be saved"; }
t0=$(now_ms)
"$MINIVMM" ctl snapvm save "$snap" --quit >"$WORKDIR/ctl.out" 2>&1 ||
	{ cat "$WORKDIR/ctl.out"; mvt_show "$log"; mvt_fail "ctl save failed"; }
t1=$(now_ms)
wait $vm
rc=$?
[ $rc -eq 7 ] || { mvt_show "$log"; mvt_fail "the saved VM exited $rc, not 7"; }
grep -q '^MVT date_after' <(tr -d '\r' <"$log") &&
	{ mvt_show "$log"; mvt_fail "the guest went on past the save"; }
echo "saved in $((t1 - t0)) ms (ctl round trip): $(cat "$WORKDIR/ctl.out");" \
	"$(du -k "$snap" | cut -f1) KiB on disk of $(( $(stat -c %s "$snap") / 1024 )) KiB"
net_expect_no_link "$ns" mvtap0
sleep 5

log2=$WORKDIR/restored.log
host_before=$(date +%s)
r0=$(now_ms)
timeout -k 5 "$MVT_TIMEOUT" "$vmm" -restore "$snap" -tap mvtap1,bridge=br0 \
	-drive "file=$WORKDIR/disk.img,format=raw" -serial stdio \
	</dev/null >"$log2" 2>&1 &
vm=$!
net_bg $vm
until grep -q '^MVT date_after' <(tr -d '\r' <"$log2") 2>/dev/null; do
	kill -0 $vm 2>/dev/null || break
	sleep 0.05
done
r1=$(now_ms)
wait $vm
rc=$?
host_after=$(date +%s)
[ $rc -eq 0 ] || { mvt_show "$log2"; mvt_fail "the restored VM exited $rc, not 0"; }
grep -q '^MVT-DONE rc=0$' <(tr -d '\r' <"$log2") ||
	{ mvt_show "$log2"; mvt_fail "the guest script did not end with rc=0"; }
echo "restore to the guest's first line after the save: $((r1 - r0)) ms"

before=$(mvt_fact "$log" before_sha256)
after=$(mvt_fact "$log2" after_sha256)
[ -n "$before" ] && [ "$before" = "$after" ] ||
	{ mvt_show "$log2"; mvt_fail "the disk written before the save reads back differently ($before / $after)"; }
date_after=$(mvt_fact "$log2" date_after)
[ -n "$date_after" ] || { mvt_show "$log2"; mvt_fail "no date from the restored guest"; }
# The guest's clock counts the 5 s the snapshot spent on disk: within 3 s
# of the host's around the restore (a clock that resumed where it was
# saved would be 5 s or more behind).
if [ "$date_after" -lt $((host_before - 3)) ] || [ "$date_after" -gt $((host_after + 3)) ]; then
	mvt_show "$log2"
	mvt_fail "the restored guest's clock says $date_after, the host's was $host_before..$host_after"
fi
mvt_expect_fact "$log2" write_after ok
mvt_expect_fact "$log2" ping_after ok
mvt_expect_fact "$log2" uname Linux
net_expect_no_link "$ns" mvtap1
echo "restored on another TAP: clock $date_after (host $host_before..$host_after)," \
	"disk sha256 as written before the save, a write after it, ping and uname work"
