#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build.sh TOP BUILD - build minivmm (RelWithDebInfo, no tests) and the
# benchmark tools into BUILD; print "NAME=PATH" lines for bench/run.py.
set -euo pipefail
top=$1 build=$2
if ! command -v cmake >/dev/null && [ -x "$build/minivmm" ]; then
	# Inside the nested harness' L1 (no compiler): the host built BUILD
	# (tests/nested/guest-layer.sh).
	tools=$build/bench
else
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINIVMM_TESTS=OFF >/dev/null
	make -C "$build" -j"$(nproc)" --no-print-directory minivmm >/dev/null
	# bench/ builds inside the main tree when the top-level CMakeLists.txt
	# adds it, else on its own.
	if make -C "$build" -j"$(nproc)" --no-print-directory bench_stamp \
		bench_floor bench_netfloor benchguest_bzimage \
		benchguest_off_bzimage >/dev/null 2>&1; then
		tools=$build/bench
	else
		tools=$build/bench-standalone
		cmake -S "$top/bench" -B "$tools" >/dev/null
		make -C "$tools" -j"$(nproc)" --no-print-directory >/dev/null
	fi
fi
echo "minivmm=$build/minivmm"
echo "stamp=$tools/bench_stamp"
echo "floor=$tools/bench_floor"
echo "netfloor=$tools/bench_netfloor"
echo "guest_bz=$tools/benchguest.bzImage"
echo "guest_bz_off=$tools/benchguest-off.bzImage"
echo "guest_elf=$tools/benchguest.elf"
