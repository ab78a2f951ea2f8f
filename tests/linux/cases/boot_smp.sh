#!/bin/bash
# SPDX-License-Identifier: MIT
# -smp 1, 2 and 4: the guest sees exactly that many CPUs, all online, and
# powers off cleanly (exit 0).
. "$(dirname "$0")/../lib.sh"

for n in 1 2 4; do
	log=$WORKDIR/smp$n.log
	MVT_SMP=$n MVT_LOG=$log mvt_boot smoke
	rc=$?
	[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "-smp $n: exit code $rc"; }
	mvt_expect_done "$log"
	mvt_expect_fact "$log" nproc "$n"
	want=0
	[ "$n" -gt 1 ] && want="0-$((n - 1))"
	mvt_expect_fact "$log" cpus_online "$want"
	echo "-smp $n: nproc=$n"
done
