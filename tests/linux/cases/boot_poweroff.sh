#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest powers off (ACPI S5 via poweroff -f): minivmm exits 0, and the
# guest saw its virtio-free machine as expected.  With -trace-boot the
# init's "userspace reached" mark (0x20 on port 0x510) shows up in order.
. "$(dirname "$0")/../lib.sh"

log=$WORKDIR/poweroff.log
MVT_LOG=$log mvt_boot smoke -trace-boot
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc, expected 0"; }
mvt_expect_done "$log"
kver=$(mvt_fact "$log" kernel)
[ -n "$kver" ] || { mvt_show "$log"; mvt_fail "guest printed no kernel version"; }
phases=$(tr -d '\r' <"$log" | sed -n 's/^minivmm: trace .* ms  \(first KVM_RUN\|guest marker 32\|guest power-off\)$/\1/p' | tr '\n' ,)
[ "$phases" = "first KVM_RUN,guest marker 32,guest power-off," ] ||
	{ mvt_show "$log"; mvt_fail "trace phases '$phases'"; }
# The guest's last console line arrives whole, its line end included,
# before minivmm's own lines: a console that held back or lost the last
# byte would join the two lines (tests/linux/mutants.py serial-last-byte).
tr -d '\r' <"$log" | grep -qE '(^|\] )reboot: Power down$' ||
	{ mvt_show "$log"; mvt_fail "the guest's last line 'reboot: Power down' is missing or cut"; }
echo "powered off cleanly, guest kernel $kver"
