#!/bin/bash
# SPDX-License-Identifier: MIT
#
# exit-rounds.sh BUILD_DIR [ROUNDS] - exec -> exit of minivmm beside the
# floor (bench/floor.c), in alternating rounds, timed by bench_stamp as
# scripts/bench.sh times them, then the medians and their ratios.  For a
# host whose /dev/kvm is only in the nested harness' L1 (docs/benchmarks.md,
# "exec -> exit in L1"):
#
#   MINIVMM=build/minivmm MVT_NESTED_TREES="$PWD $PWD/build" \
#     tests/nested/run.sh --quiet -- bash $PWD/bench/exit-rounds.sh $PWD/build 15
#
# Contenders: the floor; minivmm with bench/guest's benchguest-off (writes
# '!' and S5 at its first instructions, the floor's guest program: nothing
# but the VMM's own start and teardown); minivmm with the normal bench guest
# (its start-up code, then S5: docs/benchmarks.md's "exec -> exit" row).
# Each line: "NAME exit_ms=E first_ms=F"; then "median NAME E F" and
# "ratio NAME/floor R" for the exit times.
set -uo pipefail

build=${1:?usage: exit-rounds.sh BUILD_DIR [ROUNDS]}
rounds=${2:-15}
stamp=$build/bench/bench_stamp
floor=$build/bench/bench_floor
minivmm=${MINIVMM_BENCH:-$build/minivmm}
for f in "$stamp" "$floor" "$minivmm" "$build/bench/benchguest-off.bzImage" \
	 "$build/bench/benchguest.bzImage"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "exit-rounds: $f missing" >&2; exit 1; }
done

names=(floor minivmm-off minivmm)
cmds=("$floor"
      "$minivmm -kernel $build/bench/benchguest-off.bzImage -m 128"
      "$minivmm -kernel $build/bench/benchguest.bzImage -m 128")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $rounds rounds"
for ((r = 0; r < rounds; r++)); do
	for ((k = 0; k < ${#names[@]}; k++)); do
		i=$(((k + r) % ${#names[@]}))	# rotated each round
		# shellcheck disable=SC2086 # the command line is words
		res=$("$stamp" -t 60 -- ${cmds[i]} </dev/null)
		case $res in
		*" rc=0"*) ;;
		*) echo "${names[i]} failed: $res"; continue ;;
		esac
		e=${res#*exit_us=}
		e=${e%% *}
		f=${res#*first_us=}
		f=${f%% *}
		echo "${names[i]} exit_ms=$((e / 1000)).$(printf %03d $((e % 1000))) first_ms=$((f / 1000)).$(printf %03d $((f % 1000)))" |
			tee -a "$out"
	done
done

median()	# median of the numbers on stdin
{
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

fe=$(sed -n 's/^floor exit_ms=\([0-9.]*\).*/\1/p' "$out" | median)
for n in "${names[@]}"; do
	e=$(sed -n "s/^$n exit_ms=\\([0-9.]*\\).*/\\1/p" "$out" | median)
	f=$(sed -n "s/^$n exit_ms=[0-9.]* first_ms=\\([0-9.]*\\).*/\\1/p" "$out" | median)
	echo "median $n exit_ms=$e first_ms=$f"
	[ "$n" = floor ] || awk -v a="$e" -v b="$fe" -v n="$n" \
		'BEGIN { if (b > 0) printf "ratio %s/floor exit %.2f\n", n, a / b }'
done
