#!/bin/bash
# SPDX-License-Identifier: MIT
# -trace-boot prints a line per guest marker (port 0x510): a guest that
# writes 1000 of them gets 64 lines, one "not shown" note on the 64th and
# the count of the rest at exit - bounded like every guest-triggered
# message, so a guest cannot fill the disk under stderr.
# timeout: 60
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM GUEST_DIR
HOSTILE=$GUEST_DIR/hostile/hostile.bzImage
[ -f "$HOSTILE" ] || fail "no $HOSTILE"

"$MINIVMM" -kernel "$HOSTILE" -m 64 -serial stdio -trace-boot \
	-append "hostile.mode=markers" </dev/null >"$WORK/markers.raw" \
	2>"$WORK/markers.err"
RC=$?
tr -d '\r' <"$WORK/markers.raw" >"$WORK/markers.out"
ERR=$WORK/markers.err
expect_rc markers 0
grep -aq '^HOSTILE markers.done' "$WORK/markers.out" || { show_run markers; fail "the guest did not finish"; }
n=$(grep -c 'ms  guest marker [0-9]' "$ERR")
echo "marker lines: $n; $(grep 'not shown' "$ERR" | tr '\n' ' ')"
(( n == 64 )) || fail "$n marker lines, want 64"
grep -q 'guest marker .* (further guest markers not shown)$' "$ERR" || fail "no 'not shown' note"
# The guest library's own entry marker comes first: 1001 in all.
grep -qx 'minivmm: trace: 937 guest markers not shown' "$ERR" ||
	{ tail -n 5 "$ERR" >&2; fail "no count of the markers not shown"; }
(( $(wc -l <"$ERR") < 100 )) || fail "stderr has $(wc -l <"$ERR") lines"
echo "PASS: guest markers bounded"
