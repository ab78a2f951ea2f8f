#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-cases.sh [-j] [CASE...] - run layer-3 cases (tests/linux/cases/*.sh,
# or the named ones: "boot_smp" or a path) and print one line per case:
#
#   PASS name (12s)     or     FAIL name (rc N, 40s) followed by its output
#   SKIP name           (the case exited 77: something it needs is missing)
#
# and last a line "N passed, M failed[, K skipped]"; exit 1 if any failed.
#
# Environment: MINIVMM (the binary; default: minivmm on PATH),
# KERNEL/INITRD (default: tests/guest/test-kit.sh, which honours
# MINIVMM_TEST_KERNEL/MINIVMM_TEST_INITRD), MVT_CASE_TIMEOUT (seconds per
# case, default 900), MVT_TIMEOUT (per VM run, default 120, see lib.sh),
# MVT_SHOW_PASS=1 (print a passing case's output too).
# Each case gets its own empty WORKDIR, removed when it passes.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

die() { echo "run-cases: $*" >&2; exit 1; }

run_cases_setup()
{
	if [ -z "${MINIVMM:-}" ]; then
		MINIVMM=$(command -v minivmm) ||
			die "set MINIVMM to the minivmm binary"
	fi
	[ -x "$MINIVMM" ] || die "MINIVMM=$MINIVMM is not executable"
	MINIVMM=$(realpath "$MINIVMM")
	if [ -z "${KERNEL:-}" ] || [ -z "${INITRD:-}" ]; then
		local kit
		kit=$("$REPO/tests/guest/test-kit.sh") ||
			die "cannot build the test kit (tests/guest/test-kit.sh)"
		eval "$kit"
	fi
	export MINIVMM KERNEL INITRD
}

# run_cases_other_logs WORKDIR OUT: the end of every console log (*.log)
# in WORKDIR that the failed case did not show itself (mvt_show) - with
# mvt_boot's -stats, minivmm's counters are its last lines.
run_cases_other_logs()
{
	local log
	for log in "$1"/*.log; do
		[ -f "$log" ] || continue
		grep -qF -- "----- $log -----" "$2" && continue
		echo "    ----- $log (last 40 lines) -----"
		tail -n 40 "$log" | tr -d '\r' | sed 's/^/    /'
	done
}

# run_cases_one PATH: run one case, print its line; return 0 pass,
# 1 fail, 77 skip.
run_cases_one()
{
	local path=$1 name start rc secs out
	name=$(basename "$path" .sh)
	WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/mvt-$name.XXXXXX") ||
		die "mktemp failed"
	out=$WORKDIR/.case-output
	start=$(date +%s)
	WORKDIR=$WORKDIR timeout -k 10 "${MVT_CASE_TIMEOUT:-900}" \
		bash "$path" >"$out" 2>&1 </dev/null
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		echo "PASS $name (${secs}s)"
		# MVT_SHOW_PASS=1 (tests/linux/mutants.py): what a passing case
		# saw, too - the evidence when a broken build should have failed.
		[ "${MVT_SHOW_PASS:-0}" = 1 ] && sed 's/^/    /' "$out" | tr -d '\r'
		rm -rf "$WORKDIR"
		return 0
	elif [ $rc -eq 77 ]; then
		echo "SKIP $name: $(tail -n 1 "$out")"
		rm -rf "$WORKDIR"
		return 77
	fi
	[ $rc -eq 124 ] && echo "(case timed out after ${MVT_CASE_TIMEOUT:-900}s)" >>"$out"
	echo "FAIL $name (rc $rc, ${secs}s)"
	sed 's/^/    /' "$out" | tr -d '\r'
	run_cases_other_logs "$WORKDIR" "$out"
	if [ -n "${MVT_NESTED:-}" ]; then
		# L1's kernel log: nested-SVM complaints, an L1 oops, soft lockups
		echo "    ----- L1 dmesg (last 25 lines) -----"
		dmesg 2>/dev/null | tail -n 25 | sed 's/^/    /'
	fi
	echo "    (work files kept in $WORKDIR)"
	return 1
}

main()
{
	local cases=() c pass=0 fail=0 skip=0 quarantined=0 rc

	run_cases_setup
	if [ $# -eq 0 ]; then
		cases=("$HERE"/cases/*.sh)
		[ -e "${cases[0]}" ] || die "no cases in $HERE/cases"
	fi
	for c in "$@"; do
		case $c in
		*/*) cases+=("$c") ;;
		*) cases+=("$HERE/cases/${c%.sh}.sh") ;;
		esac
	done
	echo "run-cases: MINIVMM=$MINIVMM"
	echo "run-cases: KERNEL=$KERNEL INITRD=$INITRD"
	for c in "${cases[@]}"; do
		if [ ! -f "$c" ]; then
			echo "FAIL $(basename "$c" .sh): no such case $c"
			fail=$((fail + 1))
			continue
		fi
		run_cases_one "$c"
		rc=$?
		if [ $rc -ne 0 ] && [ $rc -ne 77 ] &&
		   grep -q "^$(basename "$c" .sh)[[:space:]]" "$HERE/quarantine.txt" 2>/dev/null; then
			echo "QUARANTINED $(basename "$c" .sh): failed, known open bug (tests/linux/quarantine.txt)"
			quarantined=$((quarantined + 1))
			continue
		fi
		case $rc in
		0) pass=$((pass + 1)) ;;
		77) skip=$((skip + 1)) ;;
		*) fail=$((fail + 1)) ;;
		esac
	done
	[ $quarantined -gt 0 ] && echo "run-cases: $quarantined quarantined case(s) failed (QUARANTINED lines above)"
	if [ $skip -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	[ $fail -eq 0 ]
}

main "$@"
