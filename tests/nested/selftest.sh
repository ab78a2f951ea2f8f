#!/bin/bash
# SPDX-License-Identifier: MIT
#
# selftest.sh good|fail|hang|silent - checks of the nested harness (one L1 boot
# each):
#   good  a known-good command (kvm-smoke in L1, minivmm present) passes
#   fail  a failing command's status (7) comes back from L1 unchanged
#   hang  a command that never ends is killed at --timeout, status 124,
#         with a clear message
#   silent  an L1 whose heartbeat stops is stopped early, status 124, with
#         its vCPUs' symbolized positions
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$HERE/run.sh

selftest_fail() { echo "FAIL: $*"; exit 1; }

case ${1:-} in
good)
	out=$("$RUN" --quiet --timeout 600 -- \
	      bash -c 'kvm-smoke && test -x "$MINIVMM" && test -f "$KERNEL" &&
		       test -f "$INITRD" && test -c /dev/net/tun &&
		       echo selftest-good-ok' 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || selftest_fail "known-good command: status $rc"
	grep -q '^selftest-good-ok' <<<"$out" ||
		selftest_fail "the command's output did not come back"
	;;
fail)
	out=$("$RUN" --quiet --timeout 600 -- \
	      bash -c 'echo selftest-fail-ran; exit 7' 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 7 ] || selftest_fail "status $rc, expected 7"
	grep -q '^selftest-fail-ran' <<<"$out" ||
		selftest_fail "failing run did not show the command's output"
	;;
hang)
	# Long enough for L1 to boot under TCG, so the command really hangs.
	start=$(date +%s)
	out=$("$RUN" --quiet --timeout "${SELFTEST_HANG_TIMEOUT:-60}" -- \
	      bash -c 'echo selftest-hang-started; sleep 100000' 2>&1)
	rc=$?
	echo "$out"
	echo "took $(($(date +%s) - start))s"
	[ $rc -eq 124 ] || selftest_fail "status $rc, expected 124"
	grep -q '^nested: TIMEOUT: ' <<<"$out" ||
		selftest_fail "no clear timeout message"
	grep -q '^selftest-hang-started' <<<"$out" ||
		selftest_fail "L1 never started the command (boot slower than the timeout?)"
	;;
silent)
	# An L1 whose heartbeat stops (as when every vCPU spins with
	# interrupts off) is stopped long before --timeout, with where its
	# vCPUs were, by symbol (here: L1 idles, so somewhere in its idle loop).
	out=$(MVT_NESTED_SILENT=20 "$RUN" --quiet --timeout 600 -- \
	      bash -c 'kill "$(cat /run/mvt-heartbeat.pid)";
		       echo selftest-silent-started; sleep 100000' 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 124 ] || selftest_fail "status $rc, expected 124"
	grep -q '^selftest-silent-started' <<<"$out" ||
		selftest_fail "L1 never started the command"
	grep -q '^nested: L1 froze: no heartbeat for 20s' <<<"$out" ||
		selftest_fail "no clear message about the stopped heartbeat"
	grep -Eq '^ +sample 0 cpu 0 rip [0-9a-f]{16} [A-Za-z_][A-Za-z0-9_.]*\+0x' <<<"$out" ||
		selftest_fail "no symbolized vCPU position in the report"
	grep -Eq '^ +cpu 0 stack: .*[A-Za-z_]' <<<"$out" ||
		selftest_fail "no rough backtrace in the report"
	;;
*)
	echo "usage: selftest.sh good|fail|hang|silent" >&2
	exit 2
	;;
esac
echo "PASS: nested harness $1"
