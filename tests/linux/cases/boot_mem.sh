#!/bin/bash
# SPDX-License-Identifier: MIT
# -m 128 and -m 512: MemTotal is plausible for that size: below it, and
# above 60 % of it (the kernel keeps its image and tables).
. "$(dirname "$0")/../lib.sh"

for mb in 128 512; do
	log=$WORKDIR/mem$mb.log
	MVT_MEM=$mb MVT_LOG=$log mvt_boot smoke
	rc=$?
	[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "-m $mb: exit code $rc"; }
	mvt_expect_done "$log"
	kb=$(mvt_fact "$log" memtotal_kb)
	[ -n "$kb" ] || { mvt_show "$log"; mvt_fail "-m $mb: no MemTotal"; }
	if [ "$kb" -gt $((mb * 1024)) ] || [ "$kb" -lt $((mb * 1024 * 6 / 10)) ]; then
		mvt_show "$log"
		mvt_fail "-m $mb: MemTotal $kb kB is implausible"
	fi
	echo "-m $mb: MemTotal $kb kB"
done
