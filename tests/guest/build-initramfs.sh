#!/bin/bash
# SPDX-License-Identifier: MIT
#
# build-initramfs.sh - build the layer-3 test initramfs (the L2 guest's) and
# print its path.
#
# Contents: static busybox, the /init of tests/linux/initramfs/init and its
# static helper mvt-mark (tests/linux/initramfs/mvt-mark.c), the
# Debian cloud kernel's modules named in tests/linux/initramfs/modules.txt
# and tests/linux/guest/*.modules (with their dependencies, loaded in
# order), every tests/linux/guest/*.sh as /mvt/<name>.sh, and e2fsprogs'
# mke2fs (also as mkfs.ext4) and e2fsck with their libraries (blk_qcow2).
#
# The image is cached under ${MINIVMM_CACHE:-/var/cache/minivmm-test}/
# initramfs, named by a hash of everything that goes in, so an unchanged
# kit is not rebuilt.
set -euo pipefail
shopt -s nullglob

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${MINIVMM_CACHE:-/var/cache/minivmm-test}
. "$HERE/initramfs-lib.sh"

tmp=

die() { echo "build-initramfs: $*" >&2; exit 1; }

main()
{
	local init=$REPO/tests/linux/initramfs/init out hash f mods mke2fs e2fsck
	local inputs=()

	eval "$("$HERE/fetch-kernels.sh" cloud)" || die "no cloud kernel"
	command -v cpio >/dev/null || die "cpio missing (apt-get install cpio)"

	mods=$(cat "$REPO/tests/linux/initramfs/modules.txt" \
		   "$REPO"/tests/linux/guest/*.modules |
	       sed 's/#.*//' | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u)
	mke2fs=$(PATH=/usr/sbin:/sbin:$PATH command -v mke2fs) ||
		die "mke2fs missing (apt-get install e2fsprogs)"
	e2fsck=$(PATH=/usr/sbin:/sbin:$PATH command -v e2fsck) ||
		die "e2fsck missing (apt-get install e2fsprogs)"
	inputs=("$init" "$HERE/initramfs-lib.sh" "${BASH_SOURCE[0]}"
		"$(command -v busybox)" "$mke2fs" "$e2fsck" "$REPO"/tests/linux/guest/*.sh
		"$REPO/tests/linux/initramfs/mvt-mark.c")
	hash=$( (initramfs_hash "${inputs[@]}"; echo "$MVT_CLOUD_KVER $mods") |
		sha256sum | cut -c1-16)
	out=$CACHE/initramfs/l2-$hash.cpio.gz
	find "$CACHE/initramfs" -maxdepth 1 -name 'l2-*.cpio.gz' -mtime +2 \
		-delete 2>/dev/null || true
	if [ -f "$out" ]; then
		touch "$out"
		echo "$out"
		return
	fi

	mkdir -p "$CACHE/initramfs"
	tmp=$(mktemp -d "$CACHE/initramfs/build.XXXXXX")
	trap 'rm -rf "${tmp:-}"' EXIT
	initramfs_add_busybox "$tmp/root" || die "busybox"
	# shellcheck disable=SC2086
	initramfs_add_modules "$MVT_CLOUD_MODDIR" "$tmp/root" $mods ||
		die "modules"
	install -m 0755 "$init" "$tmp/root/init"
	initramfs_add_binary "$tmp/root" "$mke2fs" /sbin/mke2fs || die "mke2fs"
	initramfs_add_binary "$tmp/root" "$e2fsck" /sbin/e2fsck || die "e2fsck"
	ln -sf mke2fs "$tmp/root/sbin/mkfs.ext4"
	mkdir -p "$tmp/root/bin"
	${CC:-cc} -static -Os -o "$tmp/root/bin/mvt-mark" \
		"$REPO/tests/linux/initramfs/mvt-mark.c" ||
		die "cannot build mvt-mark (apt-get install build-essential)"
	mkdir -p "$tmp/root/mvt"
	for f in "$REPO"/tests/linux/guest/*.sh; do
		[ -f "$f" ] && install -m 0755 "$f" "$tmp/root/mvt/"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$tmp/root/etc/passwd"
	printf 'root:x:0:\n' >"$tmp/root/etc/group"
	initramfs_pack "$tmp/root" "$out" || die "cannot write $out"
	echo "$out"
}

main "$@"
