#!/bin/bash
# SPDX-License-Identifier: MIT
#
# exit-rounds.sh BUILD_DIR [ROUNDS [BUILD_DIR...]] - exec -> exit of minivmm
# beside the floor (bench/floor.c), in alternating rounds, timed by
# bench_stamp as scripts/bench.sh times them, then the medians, their spread
# and their ratios.  For a host whose /dev/kvm is only in the nested
# harness' L1 (docs/benchmarks.md, "exec -> exit in L1"):
#
#   MINIVMM=build/minivmm MVT_NESTED_TREES="$PWD $PWD/build" \
#     tests/nested/run.sh --quiet -- bash $PWD/bench/exit-rounds.sh $PWD/build 40
#
# Contenders of each build directory (named NAME@DIR, DIR its last
# component): its floor; its minivmm with bench/guest's benchguest-off
# (writes '!' and S5 at its first instructions, the floor's guest program:
# nothing but the VMM's own start and teardown); for the first build also
# minivmm with the normal bench guest (its start-up code, then S5:
# docs/benchmarks.md's "exec -> exit" row).  More build directories (say
# one configured with -DMINIVMM_STATIC=ON, whose floor is linked statically
# too) join the same rotation, so that every contender sees the same load.
# Each line: "NAME exit_ms=E first_ms=F round=R"; then per contender
# "stats NAME exit n=N min=.. q1=.. median=.. q3=.. max=.. first median=..",
# and "ratio NAME/FLOOR R" of the exit medians, to the floor of the same
# build and to the first build's floor, with the spread of the same-round
# ratios (each round's NAME over that round's FLOOR).  EXIT_ROUNDS_BUDGET=S
# starts no round after S seconds (the summary still comes, of the rounds
# done): for a run inside a time-limited L1.  tests/nested/run.sh passes
# only MVT_* variables into L1: give these on the command there
# ("-- env EXIT_ROUNDS_BUDGET=100 bash .../exit-rounds.sh ...").
set -uo pipefail

first_build=${1:?usage: exit-rounds.sh BUILD_DIR [ROUNDS [BUILD_DIR...]]}
rounds=${2:-15}
builds=("$first_build" "${@:3}")
stamp=$first_build/bench/bench_stamp
[ -x "$stamp" ] || { echo "exit-rounds: $stamp missing" >&2; exit 1; }

names=()
cmds=()
floors=()	# the floor contender of each name's build
for b in "${builds[@]}"; do
	tag=$(basename "$b")
	minivmm=$b/minivmm
	[ "$b" = "$first_build" ] && minivmm=${MINIVMM_BENCH:-$minivmm}
	for f in "$b/bench/bench_floor" "$minivmm" "$b/bench/benchguest-off.bzImage"; do
		[ -f "$f" ] || { echo "exit-rounds: $f missing" >&2; exit 1; }
	done
	names+=("floor@$tag" "minivmm-off@$tag")
	cmds+=("$b/bench/bench_floor"
	       "$minivmm -kernel $b/bench/benchguest-off.bzImage -m 128")
	floors+=("floor@$tag" "floor@$tag")
	# EXIT_ROUNDS_VARIANTS="OPTS;OPTS...": the first build's minivmm with
	# the guest off at entry and these options, named minivmm-off+OPTS
	# (blanks dropped), say "-rng off;-mem-thp off".
	if [ "$b" = "$first_build" ] && [ -n "${EXIT_ROUNDS_VARIANTS:-}" ]; then
		IFS=';' read -ra variants <<<"$EXIT_ROUNDS_VARIANTS"
		for v in "${variants[@]}"; do
			names+=("minivmm-off+${v// /}@$tag")
			cmds+=("$minivmm -kernel $b/bench/benchguest-off.bzImage -m 128 $v")
			floors+=("floor@$tag")
		done
	fi
	if [ "$b" = "$first_build" ] && [ -f "$b/bench/benchguest.bzImage" ]; then
		names+=("minivmm@$tag")
		cmds+=("$minivmm -kernel $b/bench/benchguest.bzImage -m 128")
		floors+=("floor@$tag")
	fi
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $rounds rounds"
budget=${EXIT_ROUNDS_BUDGET:-0}
for ((r = 0; r < rounds; r++)); do
	if ((budget > 0 && SECONDS >= budget)); then
		echo "budget of $budget s spent: $r rounds done"
		break
	fi
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
		echo "${names[i]} exit_ms=$((e / 1000)).$(printf %03d $((e % 1000))) first_ms=$((f / 1000)).$(printf %03d $((f % 1000))) round=$r" |
			tee -a "$out"
	done
done

# spread FMT: "n=N min=.. q1=.. median=.. q3=.. max=.." of the numbers on
# stdin, each printed with FMT; quartiles by linear interpolation.
spread()
{
	sort -n | awk -v f="$1" '
		function q(p,  h, l) { h = 1 + (NR - 1) * p; l = int(h)
			return l >= NR ? v[NR] : v[l] + (h - l) * (v[l + 1] - v[l]) }
		{ v[NR] = $1 }
		END { if (NR == 0) { print "n=0"; exit }
			printf "n=%d min=" f " q1=" f " median=" f " q3=" f " max=" f "\n",
				NR, v[1], q(0.25), q(0.5), q(0.75), v[NR] }'
}

# quartiles NAME FIELD: "n=N min=.. q1=.. median=.. q3=.. max=.." of FIELD
# (exit_ms or first_ms) of NAME's rounds.
quartiles()
{
	awk -v n="$1" -v f="$2" '$1 == n { for (i = 2; i <= NF; i++)
			if (index($i, f "=") == 1) print substr($i, length(f) + 2) }' "$out" |
		spread %.1f
}

# paired A B: the spread of A's exit time over B's within each round (both
# ran back to back there, under the same load): "n=.. min=.. q1=.. ...".
paired()
{
	awk -v a="$1" -v b="$2" '
		{ split($2, e, "="); split($NF, r, "=") }
		$1 == a { ea[r[2]] = e[2] }
		$1 == b { eb[r[2]] = e[2] }
		END { for (k in ea) if ((k in eb) && eb[k] > 0) print ea[k] / eb[k] }' "$out" |
		spread %.2f
}

median_of()	# median_of NAME: the median exit_ms of NAME
{
	quartiles "$1" exit_ms | sed -n 's/.* median=\([0-9.]*\).*/\1/p'
}

for ((k = 0; k < ${#names[@]}; k++)); do
	n=${names[k]}
	fm=$(quartiles "$n" first_ms | sed -n 's/.* median=\([0-9.]*\).*/\1/p')
	echo "stats $n exit $(quartiles "$n" exit_ms) first median=${fm:--}"
done
base=floor@$(basename "$first_build")
for ((k = 0; k < ${#names[@]}; k++)); do
	n=${names[k]}
	case $n in floor@*) [ "$n" = "$base" ] && continue ;; esac
	e=$(median_of "$n")
	for fl in "${floors[k]}" "$base"; do
		[ "$fl" = "$n" ] && continue
		awk -v a="$e" -v b="$(median_of "$fl")" -v n="$n" -v f="$fl" \
			'BEGIN { if (a > 0 && b > 0) printf "ratio %s/%s exit %.2f", n, f, a / b }'
		echo "; same-round ratios $(paired "$n" "$fl")"
		[ "${floors[k]}" = "$base" ] && break
	done
done
exit 0
