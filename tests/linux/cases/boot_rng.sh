#!/bin/bash
# SPDX-License-Identifier: MIT
# virtio-rng: on by default, the guest's hw_random core picks it
# (rng_current names virtio) and /dev/hwrng returns bytes, two reads
# differing; with -rng off there is no hardware RNG at all.
. "$(dirname "$0")/../lib.sh"

log=$WORKDIR/rng-on.log
MVT_LOG=$log mvt_boot rng
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "default: exit code $rc"; }
mvt_expect_done "$log"
cur=$(mvt_fact "$log" rng_current)
case $cur in
virtio_rng.*) ;;
*) mvt_show "$log"; mvt_fail "rng_current is '$cur', expected virtio_rng.N" ;;
esac
mvt_expect_fact "$log" hwrng_bytes 64
mvt_expect_fact "$log" hwrng_differ 1
echo "default: rng_current=$cur, /dev/hwrng gave 64 bytes, two reads differ"

log=$WORKDIR/rng-off.log
MVT_LOG=$log mvt_boot rng -rng off
rc=$?
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "-rng off: exit code $rc"; }
mvt_expect_done "$log"
mvt_expect_fact "$log" rng_current none
mvt_expect_fact "$log" hwrng_bytes 0
echo "-rng off: rng_current=none, /dev/hwrng gave nothing"
