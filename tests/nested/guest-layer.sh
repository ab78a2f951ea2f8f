#!/bin/bash
# SPDX-License-Identifier: MIT
#
# guest-layer.sh BUILD_DIR [CTEST_ARGS...]
#
# Runs the "guest" layer (minivmm's own freestanding test guests, CTest
# label guest) where this host has no usable /dev/kvm: inside the L1 VM of
# the nested harness (tests/nested/run.sh), whose kvm-amd gives a real
# /dev/kvm.  The repository and BUILD_DIR are copied into L1 at their own
# paths, so CTest runs there exactly the commands it runs on a KVM host;
# its output and its closing "N tests failed out of M" line are the run's.
#
#   tests/nested/guest-layer.sh build               # every guest case
#   tests/nested/guest-layer.sh build -R vblk       # some of them
#
# Exit status: CTest's in L1; 124 when L1 timed out, 125 when L1 broke.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
build=${1:?usage: guest-layer.sh BUILD_DIR [CTEST_ARGS...]}
shift
build=$(realpath "$build") || exit 2
[ -f "$build/CTestTestfile.cmake" ] ||
	{ echo "guest-layer: $build is not a CMake build directory" >&2; exit 2; }

echo "guest-layer: no usable /dev/kvm on this host: the guest layer runs" \
	"inside the nested harness (L1 under QEMU TCG with nested SVM)"
# L1 has no compiler: the benchmark smoke run's own build is made here
# (bench/provision/build.sh reuses it where cmake is missing).
if [ -f "$REPO/tests/bench/bench_smoke.sh" ]; then
	"$REPO/bench/provision/build.sh" "$REPO" "$build/bench-smoke" >/dev/null ||
		{ echo "guest-layer: cannot build $build/bench-smoke" >&2; exit 1; }
fi
# Python's standard library for the benchmark runner and its tests.
pylib=$(/usr/bin/python3 -S -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])') ||
	{ echo "guest-layer: no python3" >&2; exit 1; }
trees="$REPO $build $pylib"
# The Debian installer's netboot tree (netboot_debian_installer), text only.
di=${MINIVMM_DI_NETBOOT_DIR:-/usr/lib/debian-installer/images/12/amd64}/text
[ -d "$di" ] && trees="$trees $di"
# QEMU in L1: bootinfo_qemu_pvh boots the same guest under QEMU as referee.
MINIVMM=$build/minivmm MVT_NESTED_QEMU=1 MVT_NESTED_TREES=$trees \
	exec "$HERE/run.sh" --timeout "${MVT_GUEST_LAYER_TIMEOUT:-3000}" -- \
	ctest --test-dir "$build" -L guest --output-on-failure "$@"
