#!/bin/bash
# SPDX-License-Identifier: MIT
#
# test-kit.sh - print the kernel and initramfs of the layer-3 test guest as
# shell assignments:   eval "$(tests/guest/test-kit.sh)"
#
#   KERNEL  Debian cloud vmlinuz  (MINIVMM_TEST_KERNEL overrides)
#   INITRD  test initramfs        (MINIVMM_TEST_INITRD overrides)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

kernel=${MINIVMM_TEST_KERNEL:-}
initrd=${MINIVMM_TEST_INITRD:-}
if [ -z "$kernel" ]; then
	eval "$("$HERE/fetch-kernels.sh" cloud)"
	kernel=$MVT_CLOUD_KERNEL
fi
[ -n "$initrd" ] || initrd=$("$HERE/build-initramfs.sh")
[ -f "$kernel" ] || { echo "test-kit: no kernel $kernel" >&2; exit 1; }
[ -f "$initrd" ] || { echo "test-kit: no initrd $initrd" >&2; exit 1; }
printf 'KERNEL=%q\nINITRD=%q\n' "$kernel" "$initrd"
