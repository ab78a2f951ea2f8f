#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/fuzz.sh [SECONDS] [HARNESS...]
# Build the libFuzzer harnesses of tests/fuzz with clang (ASan + UBSan) in
# $FUZZ_BUILD_DIR (default build-fuzz/), replay every saved regression
# input, then fuzz each harness for SECONDS (default 20) starting from its
# seed corpus.  SECONDS=0: replay regressions and seeds only.  Fails if any input crashes; crashers are left in
# $FUZZ_BUILD_DIR/artifacts/.  Installs clang-14 and libclang-rt-14-dev
# when they are missing (CI must not skip silently).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
shift || true
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
fuzzdir=$top/tests/fuzz

# A compiler that can link a libFuzzer program, installed if needed.
fuzz_cc_ok() {
	local cc=$1 tmp
	command -v "$cc" >/dev/null || return 1
	tmp=$(mktemp -d)
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ (void)d; (void)n; return 0; }' >"$tmp/t.c"
	"$cc" -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" \
		>/dev/null 2>&1
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

find_cc() {
	for cc in ${CC_FUZZ:-} clang-14 clang; do
		if fuzz_cc_ok "$cc"; then
			echo "$cc"
			return 0
		fi
	done
	return 1
}

cc=$(find_cc) || {
	echo "fuzz.sh: installing clang-14 and libclang-rt-14-dev"
	sudo=
	[ "$(id -u)" = 0 ] || sudo="sudo -n"
	$sudo apt-get install -y clang-14 libclang-rt-14-dev >/dev/null ||
		{ echo "fuzz.sh: cannot install clang/libFuzzer" >&2; exit 1; }
	cc=$(find_cc) || { echo "fuzz.sh: clang cannot link libFuzzer programs" >&2; exit 1; }
}

cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
	-DMINIVMM_FUZZ=ON >/dev/null
make -C "$build" -j"$(nproc)" --no-print-directory fuzzers >/dev/null

if [ $# -gt 0 ]; then
	harnesses=("$@")
else
	mapfile -t harnesses < <(cd "$fuzzdir" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/artifacts"
failed=()
for h in "${harnesses[@]}"; do
	bin=$build/tests/fuzz/fuzz_$h
	[ -x "$bin" ] || { echo "fuzz.sh: no harness $h" >&2; failed+=("$h"); continue; }
	log=$build/artifacts/$h.log
	# Saved crashers first: each must now pass.
	if compgen -G "$fuzzdir/regressions/$h/*" >/dev/null; then
		if ! "$bin" -runs=1 -timeout=10 "$fuzzdir"/regressions/"$h"/* >"$log.regress" 2>&1; then
			echo "FAIL $h: a regression input crashes (see $log.regress)"
			tail -n 30 "$log.regress"
			failed+=("$h")
			continue
		fi
	fi
	seeds=()
	[ -d "$fuzzdir/corpus/$h" ] && seeds=("$fuzzdir/corpus/$h")
	if [ "$secs" = 0 ]; then
		if "$bin" -runs=0 "${seeds[@]}" >"$log" 2>&1; then
			echo "ok   $h: regressions and seeds replayed"
		else
			echo "FAIL $h: a seed crashes (see $log)"
			failed+=("$h")
		fi
		continue
	fi
	work=$(mktemp -d)
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$build/artifacts/$h-" \
		"$work" "${seeds[@]}" >"$log" 2>&1; then
		echo "ok   $h: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs in ${secs}s"
	else
		echo "FAIL $h: crash or leak (see $log; inputs in $build/artifacts/)"
		grep -m3 -E 'ERROR|runtime error|assert' "$log" || tail -n 20 "$log"
		failed+=("$h")
	fi
	rm -rf "$work"
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz.sh: failed: ${failed[*]}"
	exit 1
fi
echo "fuzz.sh: all ${#harnesses[@]} harnesses clean"
