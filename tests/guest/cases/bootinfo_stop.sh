#!/bin/bash
# SPDX-License-Identifier: MIT
# A halted guest is stopped from the host by SIGTERM: exit code 7.
# timeout: 90
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE

"$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial stdio -m 128 \
	-append "console=ttyS0 bootinfo.action=halt" </dev/null \
	>"$WORK/halt.raw" 2>"$WORK/halt.err" &
pid=$!
for _ in $(seq 600); do
	grep -q 'GUEST halt' "$WORK/halt.raw" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
tr -d '\r' <"$WORK/halt.raw" >"$WORK/halt.out"
if ! grep -q 'GUEST halt' "$WORK/halt.out"; then
	kill -KILL $pid 2>/dev/null
	wait $pid
	show_run halt
	fail "the guest did not reach its halt"
fi
kill -TERM $pid
for _ in $(seq 100); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
if kill -0 $pid 2>/dev/null; then
	kill -KILL $pid
	wait $pid
	fail "minivmm ignored SIGTERM for 10 s"
fi
wait $pid
RC=$?
expect_rc halt 7
echo "PASS: SIGTERM stops a halted guest with exit code 7"
