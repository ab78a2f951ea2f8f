#!/bin/bash
# SPDX-License-Identifier: MIT
# -smp 1, 2 and 4: the guest sees exactly that many CPUs, all online, and
# powers off cleanly (exit 0).  On every CPU, leaf 0xD (XSAVE) is
# consistent with leaves 1 and 7 (vmm/cpuid.c), and the kernel does not
# warn "XSAVE consistency problem" - except in the nested harness, where
# it does and is only reported (tests/linux/README.md: QEMU 7.2's TCG
# lets L2's XSETBV pass without telling L1's KVM, whose CPUID.(0xD,0).EBX
# then keeps its reset value).
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
	mvt_expect_fact "$log" xsave_cpuid ok
	warned=$(mvt_fact "$log" xsave_warning)
	if [ -z "${MVT_NESTED:-}" ]; then
		mvt_expect_fact "$log" xsave_warning 0
	else
		echo "-smp $n: XSAVE warnings $warned (nested harness: TCG's XSETBV)"
	fi
	echo "-smp $n: nproc=$n"
done
