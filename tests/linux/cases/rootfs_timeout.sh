#!/bin/bash
# SPDX-License-Identifier: MIT
# -timeout on a guest that hangs (both vCPUs spin in the -run command):
# minivmm stops it with exit code 124 and prints one RIP line per vCPU.
# Under the nested harness, where L2 is emulated and a boot takes tens of
# seconds, the limit is 60 s instead of 5 (MVT_NESTED), so the guest does
# reach its hang first.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rootfs_common.bash"

rootfs_need_modules
limit=5
[ -n "${MVT_NESTED:-}" ] && limit=60
rootfs_run hang 124 -timeout "$limit" -- \
	"echo hanging; (while :; do :; done) & while :; do :; done"
log=$WORKDIR/hang.log
for v in 0 1; do
	grep -q "^minivmm: -timeout: vcpu$v rip=0x[0-9a-f]*\$" <(tr -d '\r' <"$log") ||
		{ mvt_show "$log"; mvt_fail "no RIP line for vcpu$v"; }
done
rootfs_expect_line hang hanging
echo "-timeout $limit: exit code 124, a RIP line per vCPU"
