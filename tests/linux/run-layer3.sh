#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-layer3.sh [CASE...] - run the layer-3 cases where a real KVM is:
# directly on a host with hardware KVM (kvm_intel/kvm_amd loaded, vmx/svm
# in /proc/cpuinfo), else - or when MINIVMM_NESTED=1 - all of them in one
# boot of the nested harness' L1 VM (and, should that L1 die or hang
# mid-run, the unfinished ones in a second).  MINIVMM names the binary to
# test.  Ends with run-cases.sh's "N passed, M failed" line.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

layer3_hardware_kvm()
{
	[ -c /dev/kvm ] || return 1
	[ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ] || return 1
	grep -q -w -E 'vmx|svm' /proc/cpuinfo
}

if [ "${MINIVMM_NESTED:-0}" != 1 ] && layer3_hardware_kvm; then
	echo "layer3: hardware KVM: running the cases on this host"
	exec "$HERE/run-cases.sh" "$@"
fi

# layer3_nested TIMEOUT OUT CASE...: one L1 boot running the cases; output
# to stdout and OUT; returns the harness' status.
layer3_nested()
{
	local timeout=$1 out=$2
	shift 2
	"$REPO/tests/nested/run.sh" --quiet --timeout "$timeout" \
		-- tests/linux/run-cases.sh "$@" 2>&1 | tee "$out"
	return "${PIPESTATUS[0]}"
}

# layer3_has OUT REGEX-VERDICTS NAME: does OUT hold such a line for NAME?
layer3_has() { grep -qE "^($2) $3([ :]|\$)" "$1"; }

# layer3_resume_plan OUT CASE...: after an L1 that died or hung mid-run,
# print "bad" if a case finished failed, then the cases to run again: the
# one in progress and all after it (cases run in order).
layer3_resume_plan()
{
	local out=$1 i last=-1 ok='PASS|SKIP|QUARANTINED'
	shift
	local cases=("$@")
	for ((i = 0; i < ${#cases[@]}; i++)); do
		layer3_has "$out" "$ok|FAIL" "${cases[i]}" && last=$i
	done
	for ((i = 0; i < ${#cases[@]}; i++)); do
		if [ $i -lt $last ]; then
			layer3_has "$out" "$ok" "${cases[i]}" || echo bad
		elif [ $i -gt $last ] || ! layer3_has "$out" "$ok" "${cases[i]}"; then
			echo "${cases[i]}"
		fi
	done
}

echo "layer3: no hardware KVM (or MINIVMM_NESTED=1): nested harness"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s)
budget=${MVT_NESTED_TIMEOUT:-1700}
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for c in "$HERE"/cases/*.sh; do cases+=("$(basename "$c" .sh)"); done
fi
# The first L1 gets three quarters of the budget: all 27 cases took 14 min
# (849 s) in one L1 on 2026-12-03, up from 6-8 min for 19 cases; the rest
# is for a resume after an L1 that died.
layer3_nested $((budget * 75 / 100)) "$out" "${cases[@]}"
rc=$?
# The emulated SVM now and then kills or hangs L1 itself mid-run (seen with
# QEMU as the L2 VMM too, tests/linux/quarantine.txt): once, run what was
# left in a fresh L1.  A case that had finished keeps its verdict.
if { [ $rc -eq 124 ] || [ $rc -eq 125 ]; } && grep -q '^MVT-L1-RUN ' "$out"; then
	mapfile -t plan < <(layer3_resume_plan "$out" "${cases[@]}")
	bad=0
	left=()
	for p in "${plan[@]}"; do
		if [ "$p" = bad ]; then bad=1; else left+=("$p"); fi
	done
	echo "layer3: L1 died or hung during the run (status $rc); running the ${#left[@]} unfinished case(s) in a new L1: ${left[*]}"
	rc2=0
	if [ ${#left[@]} -gt 0 ]; then
		layer3_nested $((budget - ($(date +%s) - start))) "$out" "${left[@]}"
		rc2=$?
	fi
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	[ -n "$summary" ] && echo "layer3: resumed run: $summary"
	[ $bad -eq 1 ] && echo "layer3: a case of the first L1 had failed (FAIL lines above)"
	[ $bad -eq 0 ] && [ $rc2 -eq 0 ] && exit 0
	exit 1
fi
# The harness' own last line follows the summary: repeat the summary so it
# closes the output.
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
[ -n "$summary" ] && echo "$summary"
exit "$rc"
