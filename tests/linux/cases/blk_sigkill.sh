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
mvt_hold "$log" "$img" "mvt.seed=$seed"
pid=$MVT_HOLD_PID
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
