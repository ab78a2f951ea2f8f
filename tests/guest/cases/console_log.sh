#!/bin/bash
# SPDX-License-Identifier: MIT
# -console-log FILE: the log holds exactly what the guest wrote to its
# console while the console itself (stdout) still gets it; the log keeps
# the last line when minivmm is killed (SIGKILL); limit= bounds it with a
# note at the end; with -serial none the log still records.
# timeout: 240
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE

# 1. Same bytes on stdout and in the log.
bootinfo_run full -m 128 -append "console=ttyS0" -console-log "$WORK/full.log"
expect_rc full 0
expect_complete full
cmp -s "$WORK/full.raw" "$WORK/full.log" || {
	show_run full
	fail "the log differs from the console output"
}
echo "ok: log == console ($(stat -c %s "$WORK/full.log") bytes)"

# 2. -serial none: no console, the log still records.
timeout -k 5 "$RUN_TIMEOUT" "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -m 128 \
	-append "console=ttyS0" -serial none -console-log "$WORK/none.log" \
	</dev/null >"$WORK/none.raw" 2>"$WORK/none.err"
RC=$? OUT=$WORK/none.raw ERR=$WORK/none.err
expect_rc none 0
[ ! -s "$WORK/none.raw" ] || fail "-serial none wrote to stdout"
tr -d '\r' <"$WORK/none.log" | grep -qx 'BOOTINFO end' ||
	fail "-serial none: the log lacks BOOTINFO end"
echo "ok: -serial none still logs"

# 3. A killed minivmm leaves the last line in the log.
HALT_MEM_MB=128 start_halted kill -console-log "$WORK/kill.log"
kill -KILL $PID 2>/dev/null
wait $PID
tr -d '\r' <"$WORK/kill.log" | grep -q 'GUEST halt' || {
	show_run kill
	fail "after SIGKILL the log lacks the guest's last line (GUEST halt)"
}
echo "ok: SIGKILL leaves the last line in the log"

# 4. limit= cuts the log and says so, on stderr and in the log.
bootinfo_run cut -m 128 -append "console=ttyS0" \
	-console-log "$WORK/cut.log,limit=1K"
expect_rc cut 0
expect_complete cut
head -c 1024 "$WORK/cut.raw" | cmp -s - <(head -c 1024 "$WORK/cut.log") ||
	fail "limit=1K: the first KiB of the log is not the console's"
tail -c +1025 "$WORK/cut.log" | grep -q 'console log limit of 1024 bytes reached' ||
	fail "limit=1K: no note after the first 1024 bytes"
grep -q 'console-log: limit of 1024 bytes reached' "$ERR" ||
	fail "limit=1K: no warning on stderr"
size=$(stat -c %s "$WORK/cut.log")
(( size < 1024 + 200 )) || fail "limit=1K: the log has $size bytes"
echo "ok: limit=1K cuts the log at 1024 bytes with a note"

# 5. An unwritable log is one clear error line, exit 1.
bootinfo_run bad -m 128 -console-log "$WORK/no/such/dir/x.log"
expect_rc bad 1
grep -q "^minivmm: .*-console-log: cannot open" "$ERR" || {
	show_run bad
	fail "no clear error for an unwritable log"
}
echo "PASS: console log"
