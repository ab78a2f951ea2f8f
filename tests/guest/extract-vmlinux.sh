#!/bin/bash
# SPDX-License-Identifier: MIT
#
# extract-vmlinux.sh BZIMAGE OUT - write the uncompressed ELF vmlinux inside
# a bzImage to OUT, the way the kernel's scripts/extract-vmlinux finds it:
# look for each compressor's magic bytes in the image and decompress from
# every place one occurs until the output is an ELF file (the decompressors
# complain about the bytes after the payload; what they wrote counts).
# Exit 0 on success, 1 (with one line on stderr) when no payload unpacks.
#
# Needs GNU grep, and the decompressor of the kernel's CONFIG_KERNEL_*:
# Debian's kernels use lz4 (cloud) or xz (generic).
set -uo pipefail

die() { echo "extract-vmlinux: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: extract-vmlinux.sh BZIMAGE OUT"
img=$1
out=$2
[ -r "$img" ] || die "cannot read $img"

is_elf()
{
	[ "$(head -c 4 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]
}

# try MAGIC-REGEX COMMAND...: decompress from every offset of the magic.
try()
{
	local magic=$1 pos
	shift
	command -v "$1" >/dev/null || return 1
	for pos in $(LC_ALL=C grep -aboP "$magic" "$img" | cut -d: -f1); do
		tail -c +$((pos + 1)) "$img" | "$@" >"$out" 2>/dev/null
		is_elf "$out" && return 0
	done
	return 1
}

try '\x02\x21\x4c\x18' lz4 -d -c ||
try '\xfd\x37\x7a\x58\x5a\x00' xz -d -c ||
try '\x28\xb5\x2f\xfd' zstd -d -c ||
try '\x1f\x8b\x08' gzip -d -c ||
try '\x5d\x00\x00\x00' xz --format=lzma -d -c ||
try '\x42\x5a\x68' bzip2 -d -c ||
try '\x89\x4c\x5a' lzop -d -c || {
	rm -f "$out"
	die "no compressed ELF kernel found in $img (or its decompressor is missing)"
}
