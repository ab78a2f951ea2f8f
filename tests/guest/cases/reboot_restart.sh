#!/bin/bash
# SPDX-License-Identifier: MIT
# -reboot restart: a guest reboot starts the machine afresh instead of
# ending the run; the boot-info guest that reboots at once is seen booting
# again and again until the host stops it (SIGTERM -> exit 7).
# timeout: 60
. "$(dirname "$0")/common.bash"

out=$WORK/restart.out
"$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -m 64 -reboot restart \
	-append "bootinfo.action=reboot" </dev/null >"$WORK/restart.raw" 2>"$WORK/restart.err" &
PID=$!
for _ in $(seq 1 200); do
	[ "$(grep -c '^BOOTINFO start' "$WORK/restart.raw")" -ge 3 ] && break
	sleep 0.1
done
kill -TERM "$PID"
wait_exit restart 10 "after SIGTERM"	# sets RC, writes $out
starts=$(grep -c '^BOOTINFO start' "$out")
[ "$starts" -ge 3 ] || { cat "$WORK/restart.err" >&2; fail "booted $starts times, want 3 or more"; }
[ "$RC" -eq 7 ] || { cat "$WORK/restart.err" >&2; fail "exit code $RC after SIGTERM, want 7"; }
echo "PASS: -reboot restart booted $starts times; SIGTERM ended it with 7"
