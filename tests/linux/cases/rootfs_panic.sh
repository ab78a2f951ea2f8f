#!/bin/bash
# SPDX-License-Identifier: MIT
# A forced kernel panic under -rootfs (no panic= from the user): the init
# loaded pvpanic-mmio (a module in Debian's kernel), the panic reaches
# minivmm through the pvpanic port, and minivmm ends with exit code 8.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rootfs_common.bash"

rootfs_need_modules
rootfs_run panic 8 -- "echo c >/proc/sysrq-trigger; echo survived"
grep -q 'the guest kernel panicked (pvpanic)' "$WORKDIR/panic.log" ||
	{ mvt_show "$WORKDIR/panic.log"; mvt_fail "no pvpanic line from minivmm"; }
grep -q '^survived' "$WORKDIR/panic.log" &&
	{ mvt_show "$WORKDIR/panic.log"; mvt_fail "the guest went on after the panic"; }
echo "-rootfs: sysrq c ends minivmm with exit code 8 (pvpanic)"
