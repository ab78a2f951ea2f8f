#!/bin/bash
# SPDX-License-Identifier: MIT
# QMP stop and cont as the guest sees them: the boot-info guest prints a
# counter about every 100 ms (bootinfo.action=tick); once the STOP event
# has come, its console stays silent for the paused second; after cont
# the counter goes on where it stopped (no number lost or repeated); quit
# ends the run with exit code 7 (tests/guest/qmp_session.py --ticks).
# timeout: 120
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE
sock=$WORK/tick.qmp
out=$WORK/tick.out

timeout -k 5 90 "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial stdio -m 64 \
	-append "bootinfo.action=tick" -qmp "unix:$sock,server=on,wait=off" \
	</dev/null >"$out" 2>"$WORK/tick.err" &
pid=$!
python3 "$(dirname "$0")/../qmp_session.py" --ticks "$sock" "$out" ||
	{ kill "$pid"; cat "$WORK/tick.err" >&2; tail -c 2000 "$out" >&2; fail "pause as the guest sees it"; }
wait "$pid"
rc=$?
[ "$rc" = 7 ] || { cat "$WORK/tick.err" >&2; fail "exit code $rc after quit, expected 7"; }
echo "PASS: stop silences the guest, cont resumes its counter with nothing lost, quit exits 7"
