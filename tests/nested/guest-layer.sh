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
# Exit status: CTest's in L1; 124 when L1 timed out, 125 when L1 broke
# (twice: a hung or broken L1 is replaced once, see below).
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
guest_layer_run()
{
	MINIVMM=$build/minivmm MVT_NESTED_QEMU=1 MVT_NESTED_TREES=$trees \
		"$HERE/run.sh" --timeout "${MVT_GUEST_LAYER_TIMEOUT:-900}" -- \
		ctest --test-dir "$build" -L guest --output-on-failure "$@"
}
guest_layer_run "$@"
rc=$?
# 124/125: L1 itself hung or broke (its emulated SVM soft-locks now and
# then: "watchdog: BUG: soft lockup" on both of its CPUs), so no verdict
# was reached.  One fresh L1 runs the layer again, as run-layer3.sh does
# for layer 3.  A case that fails in a healthy L1 (ctest's status) is
# never run again.
if [ $rc -eq 124 ] || [ $rc -eq 125 ]; then
	echo "guest-layer: L1 hung or broke (status $rc), no verdict: the guest layer once more in a fresh L1"
	guest_layer_run "$@"
	rc=$?
fi
exit $rc
