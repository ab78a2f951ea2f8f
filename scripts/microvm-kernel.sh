#!/bin/bash
# SPDX-License-Identifier: MIT
#
# microvm-kernel.sh [--no-install] - build the minimal "microvm" Linux
# kernel of the hardware-KVM benchmark and print the bzImage's path.
#
# Source: Debian's linux-source-6.1 package (/usr/src/linux-source-6.1.tar.xz).
# Config: `make tinyconfig`, plus the fragment bench/microvm-kernel.config
# (64-bit, 8250 console, ACPI, virtio-mmio/blk/net built in, initramfs,
# no modules), then olddefconfig.  The script checks that every option the
# fragment sets survived olddefconfig (a renamed or unmet option fails the
# build instead of giving a kernel that silently lacks it).
#
# The result is cached under ${MINIVMM_CACHE:-/var/cache/minivmm-test}/
# microvm-kernel/, named by the source package's version and a hash of the
# fragment and this script, so an unchanged kernel is not rebuilt; the
# unpacked source tree stays there too (about 1.3 GB).  A build takes a
# few minutes on 2 CPUs.
#
# As root it installs what it needs with apt-get (linux-source-6.1,
# build-essential, flex, bison, bc, libelf-dev, libssl-dev, lz4, xz-utils)
# unless --no-install is given.
#
#   kernel=$(scripts/microvm-kernel.sh)
#   minivmm -kernel "$kernel" -initrd initrd -append console=ttyS0
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${MINIVMM_CACHE:-/var/cache/minivmm-test}
KDIR=$CACHE/microvm-kernel
FRAGMENT=$TOP/bench/microvm-kernel.config
PKG=linux-source-6.1
INSTALL=1

die() { echo "microvm-kernel: $*" >&2; exit 1; }
log() { echo "microvm-kernel: $*" >&2; }

# microvm_kernel_install: the source package and the kernel's build deps.
microvm_kernel_install()
{
	local need=() p
	for p in $PKG build-essential flex bison bc libelf-dev libssl-dev \
		 lz4 xz-utils; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages ${need[*]} (run as root, or install them)"
	log "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# microvm_kernel_source VERSION: unpack the source tarball once per
# package version; print the tree.
microvm_kernel_source()
{
	local ver=$1 src=$KDIR/src-$1 tar
	if [ ! -f "$src/.complete" ]; then
		tar=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
		[ -n "$tar" ] || die "no /usr/src/linux-source-6.1.tar.* (apt-get install $PKG)"
		log "unpacking $(basename "$tar") ($ver)"
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		tar -xf "$tar" -C "$src.tmp" --strip-components=1 ||
			die "cannot unpack $tar"
		mv "$src.tmp" "$src"
		touch "$src/.complete"
	fi
	echo "$src"
}

# microvm_kernel_check CONFIG: every option the fragment sets (=y/=n/=N or
# "is not set") has that value in CONFIG.
microvm_kernel_check()
{
	local cfg=$1 bad=0 line key
	while read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF "$line" "$cfg" || {
				log "option lost: $line (now: $(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo unset))"
				bad=1; } ;;
		"# CONFIG_"*" is not set")
			key=${line#\# }
			key=${key%% *}
			! grep -q "^$key=" "$cfg" || {
				log "option still set: $(grep "^$key=" "$cfg")"
				bad=1; } ;;
		esac
	done <"$FRAGMENT"
	return $bad
}

main()
{
	local ver hash out src obj

	while [ $# -gt 0 ]; do
		case $1 in
		--no-install) INSTALL=0 ;;
		-h|--help) sed -n '3,25p' "$0"; exit 0 ;;
		*) die "unknown argument $1" ;;
		esac
		shift
	done
	[ -f "$FRAGMENT" ] || die "no $FRAGMENT"
	[ $INSTALL -eq 1 ] && microvm_kernel_install
	ver=$(dpkg-query -W -f='${Version}' $PKG 2>/dev/null) ||
		die "$PKG is not installed"
	hash=$(cat "$FRAGMENT" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)
	out=$KDIR/bzImage-$ver-$hash
	mkdir -p "$KDIR" || die "cannot create $KDIR (set MINIVMM_CACHE)"
	# Two runs at once: one builds, the other waits and finds the result.
	exec 9>"$KDIR/.lock"
	flock 9
	if [ -f "$out" ]; then
		echo "$out"
		return
	fi
	src=$(microvm_kernel_source "$ver")
	obj=$KDIR/build-$hash
	rm -rf "$obj"
	mkdir -p "$obj"
	log "building $(basename "$out") in $obj (log: $obj/build.log)"
	{
		make -C "$src" O="$obj" tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
			"$obj/.config" "$FRAGMENT" &&
		make -C "$src" O="$obj" olddefconfig
	} >"$obj/build.log" 2>&1 || { tail -n 30 "$obj/build.log" >&2; die "configuration failed"; }
	microvm_kernel_check "$obj/.config" ||
		die "the fragment does not apply to $PKG $ver (see above)"
	make -C "$src" O="$obj" -j"$(nproc)" bzImage >>"$obj/build.log" 2>&1 ||
		{ tail -n 30 "$obj/build.log" >&2; die "build failed"; }
	cp "$obj/.config" "$out.config"
	cp "$obj/arch/x86/boot/bzImage" "$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$obj"
	# Kernels of older fragments, unused for weeks, go.
	find "$KDIR" -maxdepth 1 -name 'bzImage-*' -mtime +30 -delete 2>/dev/null || true
	log "built $out ($(stat -c %s "$out") bytes)"
	echo "$out"
}

main "$@"
