#!/bin/bash
# SPDX-License-Identifier: MIT
#
# initramfs-lib.sh - helpers sourced by the scripts that build the test
# initramfs images (build-initramfs.sh, tests/nested/run.sh).  Defines
# functions only.

# initramfs_modules MODDIR NAME...: print the .ko files (relative to MODDIR)
# needed to load the named modules, dependencies first, each once.  Names
# may use '-' or '_'.  A name that is built into the kernel is skipped; an
# unknown name is an error.
initramfs_modules()
{
	local moddir=$1
	shift
	[ -f "$moddir/modules.dep" ] || {
		echo "initramfs: no $moddir/modules.dep" >&2
		return 1
	}
	awk -v names="$*" '
	function norm(s) { sub(/.*\//, "", s); sub(/\.ko(\.[a-z]+)?$/, "", s);
			   gsub(/-/, "_", s); return s }
	function visit(f,    i, n, d) {
		if (f in done)
			return
		done[f] = 1
		n = split(deps[f], d, " ")
		for (i = n; i >= 1; i--)	# modules.dep lists users first
			visit(d[i])
		print f
	}
	FILENAME == ARGV[1] {
		f = $1; sub(/:$/, "", f)
		deps[f] = ""
		for (i = 2; i <= NF; i++) deps[f] = deps[f] " " $i
		byname[norm(f)] = f
		next
	}
	{ builtin[norm($0)] = 1 }
	END {
		n = split(names, want, " ")
		for (i = 1; i <= n; i++) {
			m = want[i]; gsub(/-/, "_", m)
			if (m in byname)
				visit(byname[m])
			else if (!(m in builtin)) {
				print "initramfs: unknown module " want[i] > "/dev/stderr"
				bad = 1
			}
		}
		exit bad
	}' "$moddir/modules.dep" "$moddir/modules.builtin"
}

# initramfs_add_modules MODDIR ROOT NAME...: copy the modules and their
# dependencies flat into ROOT/lib/modules/mvt/ and write load.list there,
# in load order, for the /init's insmod loop.
initramfs_add_modules()
{
	local moddir=$1 root=$2 list f
	shift 2
	list=$(initramfs_modules "$moddir" "$@") || return 1
	mkdir -p "$root/lib/modules/mvt"
	: >"$root/lib/modules/mvt/load.list"
	for f in $list; do
		cp "$moddir/$f" "$root/lib/modules/mvt/" || return 1
		basename "$f" >>"$root/lib/modules/mvt/load.list"
	done
}

# initramfs_add_busybox ROOT: a static busybox at /bin/busybox plus
# /bin/sh; the /init installs the other applet links at boot.
initramfs_add_busybox()
{
	local root=$1 bb
	bb=$(command -v busybox || true)
	[ -n "$bb" ] || { echo "initramfs: busybox missing (apt-get install busybox-static)" >&2; return 1; }
	if ldd "$bb" >/dev/null 2>&1; then
		echo "initramfs: $bb is not static (apt-get install busybox-static)" >&2
		return 1
	fi
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
		"$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" \
		"$root/etc" "$root/root" "$root/var"
	cp "$bb" "$root/bin/busybox"
	ln -sf busybox "$root/bin/sh"
}

# initramfs_add_binary ROOT PATH [DEST]: copy an executable and every shared
# library it needs (per ldd), keeping their paths, so it runs in ROOT.
initramfs_add_binary()
{
	local root=$1 bin=$2 dest=${3:-$2} lib
	[ -x "$bin" ] || { echo "initramfs: $bin missing" >&2; return 1; }
	mkdir -p "$root/$(dirname "$dest")"
	cp -L "$bin" "$root/$dest"
	for lib in $(ldd "$bin" 2>/dev/null |
		     awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'); do
		[ -e "$root/$lib" ] && continue
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}

# initramfs_pack ROOT OUT: newc cpio of ROOT, owned by root, gzip'ed.
initramfs_pack()
{
	local root=$1 out=$2
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	 cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$out.tmp" &&
		mv "$out.tmp" "$out"
}

# initramfs_hash FILE...: one sha256 over the names and contents of files.
initramfs_hash()
{
	local f
	for f in "$@"; do
		printf '%s\n' "$(basename "$f")"
		sha256sum <"$f"
	done | sha256sum | cut -c1-16
}
