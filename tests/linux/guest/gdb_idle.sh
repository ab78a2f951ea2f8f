#!/bin/sh
# SPDX-License-Identifier: MIT
# For the debugger case (gdb_kernel).  With mvt.syms=1: print the addresses
# of start_kernel, _stext and _etext from /proc/kallsyms and end.  Else say
# how many CPUs are online, then idle for mvt.idle= seconds (default 30) so
# the host's gdb can interrupt an idle kernel, then end (power-off).
if [ "${MVT_SYMS:-}" = 1 ]; then
	echo 0 >/proc/sys/kernel/kptr_restrict
	for s in start_kernel _stext _etext; do
		echo "MVT sym_$s=0x$(awk -v s=$s '$3 == s { print $1; exit }' /proc/kallsyms)"
	done
	exit 0
fi
echo "MVT nproc=$(nproc)"
echo "MVT idle=1"
sleep "${MVT_IDLE:-30}"
echo "MVT idle_done=1"
