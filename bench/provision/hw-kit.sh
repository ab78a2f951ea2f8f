#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hw-kit.sh WORK [--no-install] - the hardware-KVM part's kit: the Debian
# kernel and test initramfs of tests/guest/test-kit.sh, the "microvm"
# kernel (scripts/microvm-kernel.sh), and three initramfs images in WORK:
# initrd.boot (the test initramfs + bench/linux/*.sh as /mvt/),
# initrd.net (+ iperf3), initrd.disk (+ fio).  Prints "NAME=VALUE" lines
# for bench/run.py: kernel, microvm_kernel or microvm_note, initrd_boot,
# initrd_net, initrd_disk, and "failure=..." for a tool left out.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$1
mk=()
[ "${2:-}" = --no-install ] && mk=(--no-install)

# cpio OUT BASE [TOOL...]: BASE followed by a newc cpio with the guest
# scripts as /mvt/ and each TOOL with its shared libraries (the kernel
# unpacks both archives).
cpio_kit()
{
	local out=$1 base=$2 x b lib
	shift 2
	x=$(mktemp -d "$work/cpio.XXXXXX")
	mkdir -p "$x/mvt" "$x/usr/bin"
	install -m 0755 "$top"/bench/linux/*.sh "$x/mvt/"
	for b in "$@"; do
		command -v "$b" >/dev/null || {
			echo "failure=$b is not installed on the host: no $b rows"
			continue; }
		b=$(command -v "$b")
		cp -L "$b" "$x/usr/bin/"
		for lib in $(ldd "$b" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			mkdir -p "$x$(dirname "$lib")"
			cp -L "$lib" "$x$lib"
		done
	done
	(cd "$x" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$x.cpio"
	# the kernel looks for the next archive at a 4-byte boundary
	cp "$base" "$out"
	truncate -s %4 "$out"
	cat "$x.cpio" >>"$out"
	rm -rf "$x" "$x.cpio"
}

eval "$("$top/tests/guest/test-kit.sh")"
echo "kernel=$KERNEL"
echo "bench: building (or finding) the microvm kernel" >&2
if m=$("$top/scripts/microvm-kernel.sh" "${mk[@]}" 2>"$work/microvm-kernel.log"); then
	echo "microvm_kernel=$m"
else
	echo "microvm_note=scripts/microvm-kernel.sh failed: $(tail -n 3 "$work/microvm-kernel.log" | tr '\n' ' ')"
fi
cpio_kit "$work/initrd.boot" "$INITRD"
cpio_kit "$work/initrd.net" "$INITRD" iperf3
cpio_kit "$work/initrd.disk" "$INITRD" fio
echo "initrd_boot=$work/initrd.boot"
echo "initrd_net=$work/initrd.net"
echo "initrd_disk=$work/initrd.disk"
