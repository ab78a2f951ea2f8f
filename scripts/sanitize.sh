#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build minivmm and its tests with AddressSanitizer + UBSan
# (-DMINIVMM_SANITIZE=ON) in build-sanitize/ (or $BUILD_DIR) and run the
# unit and guest layers.  Any sanitizer report fails the test that made it
# (halt_on_error, no recovery).  seccomp is off in this build by design
# (docs/security.md).  Extra arguments go to ctest (e.g. -R virtio).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-sanitize}
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DMINIVMM_SANITIZE=ON >/dev/null
make -C "$build" -j"$(nproc)" --no-print-directory
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
if [ -c /dev/kvm ]; then
	ctest -L 'unit|guest' --output-on-failure "$@"
	exit
fi
# No /dev/kvm here: the guest layer runs in the nested harness' L1
# (tests/nested/guest-layer.sh), the sanitizer runtime copied along.
# The ASan build's guest layer froze L1 itself in three of its last four
# nested runs (the plain build's never did): until that is understood,
# without /dev/kvm only the unit layer runs under the sanitizers here.
echo "sanitize: no /dev/kvm: the guest layer under ASan is not run in the nested harness (it hangs L1; see docs/testing-guests.md)"
ctest -L unit --output-on-failure "$@"
