#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kdev-kit.sh KIT BUILD_DIR - the kit of bench/kernel_dev.py (minivmm
# -rootfs beside QEMU + virtio-9p), for the nested harness' L1
# (MVT_NESTED_EXTRA=KIT, MVT_NESTED_QEMU=1) or a host with KVM:
#   vmlinuz        Debian's generic kernel of the test kit (the cloud
#                  kernel has no 9p: the same kernel for both VMMs)
#   root/          its /lib/modules/RELEASE with modules.dep and the
#                  modules both sides load (kernel_dev.py copies it to /,
#                  as on a host with that kernel installed)
#   kdev-9p.cpio   the QEMU side's initramfs: static busybox, the 9p and
#                  overlay modules, bench/provision/kdev-init.sh as /init
#   bench_stamp    from BUILD_DIR/bench
#   python3, py/, bench/   bench/provision/py-kit.sh
set -euo pipefail
kit=$1
build=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/guest/initramfs-lib.sh
. "$top/tests/guest/initramfs-lib.sh"
eval "$("$top/tests/guest/fetch-kernels.sh" generic)"
moddir=$MVT_GENERIC_MODDIR

rm -rf "$kit"
mkdir -p "$kit"
cp "$MVT_GENERIC_KERNEL" "$kit/vmlinuz"
cp "$build/bench/bench_stamp" "$kit/"

dst=$kit/root/lib/modules/$MVT_GENERIC_KVER
mkdir -p "$dst"
cp "$moddir/modules.dep" "$moddir/modules.builtin" "$dst/"
for f in $(initramfs_modules "$moddir" virtio_mmio virtiofs overlay pvpanic_mmio); do
	mkdir -p "$dst/$(dirname "$f")"
	cp "$moddir/$f" "$dst/$f"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
initramfs_add_busybox "$tmp"
initramfs_add_modules "$moddir" "$tmp" virtio_mmio 9p 9pnet_virtio overlay
install -m 0755 "$top/bench/provision/kdev-init.sh" "$tmp/init"
(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) \
	>"$kit/kdev-9p.cpio"

"$top/bench/provision/py-kit.sh" "$kit"
echo "kdev-kit: $kit ($MVT_GENERIC_KVER)"
