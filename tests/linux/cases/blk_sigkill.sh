#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest writes + syncs, then minivmm is SIGKILLed: the synced data is
# on the image, and the image lock died with the process (a new minivmm
# opens it at once).
. "$(dirname "$0")/../lib.sh"

img=$WORKDIR/kill.img
head -c $((8 * 1024 * 1024)) /dev/urandom >"$img"
seed=kill-$RANDOM$RANDOM
log=$WORKDIR/sigkill.log
: >"$log"
setsid "$MINIVMM" -kernel "$KERNEL" -initrd "$INITRD" -m 256 -smp 2 \
	-append "console=ttyS0 quiet panic=-1 mvt.run=blk_hold mvt.seed=$seed" \
	-drive "file=$img" </dev/null >"$log" 2>&1 &
# Its own process group (setsid execs it: pid is minivmm's), so a kill
# reaches a wrapper's children too.
pid=$!
trap 'kill -9 -- -$pid 2>/dev/null' EXIT
for ((i = 0; i < MVT_TIMEOUT * 4; i++)); do
	grep -q '^MVT holding=1' <(tr -d '\r' <"$log") && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.25
done
grep -q '^MVT synced=1' <(tr -d '\r' <"$log") ||
	{ mvt_show "$log"; mvt_fail "the guest never synced its writes"; }
kill -9 -- -$pid
wait $pid 2>/dev/null
want=$(yes "minivmm-blk-$seed" | head -c 4194304 | sha256sum | cut -d' ' -f1)
got=$(head -c 4194304 "$img" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || mvt_fail "synced data is not on the image after SIGKILL"

log2=$WORKDIR/after.log
MVT_LOG=$log2 MVT_APPEND="mvt.disks=1" mvt_boot blk_info -drive "file=$img"
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log2"; mvt_fail "image still locked after SIGKILL (exit $rc)"; }
mvt_expect_fact "$log2" vda_sha256 "$(sha256sum <"$img" | cut -d' ' -f1)"
echo "synced writes survived SIGKILL; the lock went with the process"
