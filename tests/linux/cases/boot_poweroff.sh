#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest powers off (ACPI S5 via poweroff -f): minivmm exits 0, and the
# guest saw its virtio-free machine as expected.
. "$(dirname "$0")/../lib.sh"

log=$WORKDIR/poweroff.log
MVT_LOG=$log mvt_boot smoke
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc, expected 0"; }
mvt_expect_done "$log"
kver=$(mvt_fact "$log" kernel)
[ -n "$kver" ] || { mvt_show "$log"; mvt_fail "guest printed no kernel version"; }
echo "powered off cleanly, guest kernel $kver"
