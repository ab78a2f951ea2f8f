#!/bin/bash
# SPDX-License-Identifier: MIT
#
# fetch-kernels.sh [cloud] [generic] - fetch and unpack the Debian kernels
# the linux test layer uses, and print where they are as shell assignments:
#
#   eval "$(tests/guest/fetch-kernels.sh cloud generic)"
#
#   MVT_CLOUD_KERNEL   vmlinuz of linux-image-cloud-amd64 (the L2 test guest)
#   MVT_CLOUD_KVER     its release string (6.1.0-NN-cloud-amd64)
#   MVT_CLOUD_MODDIR   its /lib/modules/<kver> (with a fresh modules.dep)
#   MVT_GENERIC_*      the same for linux-image-amd64 (the nested harness' L1:
#                      it carries kvm-amd.ko)
#
# Downloads (`apt-get download`, no install) and unpacked trees are cached
# under ${MINIVMM_CACHE:-/var/cache/minivmm-test}/kernels, so a second run
# needs no network and takes well under a second.  Without apt lists (or
# offline), the newest cached version is used.
set -euo pipefail

CACHE=${MINIVMM_CACHE:-/var/cache/minivmm-test}
KDIR=$CACHE/kernels

die() { echo "fetch-kernels: $*" >&2; exit 1; }

# fetch_kernels_resolve FLAVOR: print the versioned package behind the
# linux-image-FLAVOR meta package, from the local apt lists.
fetch_kernels_resolve()
{
	apt-cache depends "linux-image-$1" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# fetch_kernels_cached FLAVOR: newest unpacked tree of that flavour.
fetch_kernels_cached()
{
	local d
	d=$(ls -d "$KDIR"/linux-image-*-"$1"/.complete 2>/dev/null |
		sort -V | tail -n 1)
	[ -n "$d" ] && dirname "$d"
}

# fetch_kernels_one FLAVOR VAR: make sure an unpacked tree exists; print
# the assignments for it.
fetch_kernels_one()
{
	local flavor=$1 var=$2 pkg tree deb kver

	pkg=$(fetch_kernels_resolve "$flavor" || true)
	if [ -n "$pkg" ] && [ -f "$KDIR/$pkg/.complete" ]; then
		tree=$KDIR/$pkg
	elif [ -n "$pkg" ]; then
		tree=$KDIR/$pkg
		deb=$(ls "$KDIR/debs/${pkg}_"*.deb 2>/dev/null | tail -n 1 || true)
		if [ -z "$deb" ]; then
			echo "fetch-kernels: downloading $pkg" >&2
			mkdir -p "$KDIR/debs"
			(cd "$KDIR/debs" &&
			 apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
				die "apt-get download $pkg failed (run 'apt-get update'? network?)"
			deb=$(ls "$KDIR/debs/${pkg}_"*.deb | tail -n 1)
		fi
		echo "fetch-kernels: unpacking $(basename "$deb")" >&2
		rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
		dpkg-deb -x "$deb" "$tree.tmp" || die "cannot unpack $deb"
		kver=$(ls "$tree.tmp/lib/modules")
		# The package builds modules.dep at install time; do it here.
		depmod -b "$tree.tmp" "$kver" ||
			die "depmod failed for $kver (install kmod)"
		rm -rf "$tree" && mv "$tree.tmp" "$tree"
		touch "$tree/.complete"
	else
		tree=$(fetch_kernels_cached "$flavor" || true)
		[ -n "$tree" ] || die "no apt package for linux-image-$flavor and nothing cached in $KDIR (run 'apt-get update')"
		echo "fetch-kernels: apt knows no linux-image-$flavor; using cached $(basename "$tree")" >&2
	fi

	kver=$(ls "$tree/lib/modules")
	[ -f "$tree/boot/vmlinuz-$kver" ] || die "no vmlinuz in $tree"
	printf 'MVT_%s_KERNEL=%q\n' "$var" "$tree/boot/vmlinuz-$kver"
	printf 'MVT_%s_KVER=%q\n' "$var" "$kver"
	printf 'MVT_%s_MODDIR=%q\n' "$var" "$tree/lib/modules/$kver"
}

main()
{
	local f
	[ $# -gt 0 ] || set -- cloud
	mkdir -p "$KDIR" 2>/dev/null ||
		die "cannot create $KDIR (set MINIVMM_CACHE to a writable dir)"
	# Several test runs may start at once: one unpacks, the others wait.
	exec 9>"$KDIR/.lock"
	flock 9
	command -v dpkg-deb >/dev/null || die "dpkg-deb missing"
	command -v depmod >/dev/null || die "depmod missing (install kmod)"
	for f in "$@"; do
		case $f in
		cloud) fetch_kernels_one cloud-amd64 CLOUD ;;
		generic) fetch_kernels_one amd64 GENERIC ;;
		*) die "unknown flavour '$f' (cloud, generic)" ;;
		esac
	done
}

main "$@"
