#!/bin/sh
# SPDX-License-Identifier: MIT
# Facts about the machine the guest sees: CPUs, memory, kernel, modules.
echo "MVT nproc=$(nproc)"
echo "MVT cpus_online=$(cat /sys/devices/system/cpu/online)"
echo "MVT memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
echo "MVT kernel=$(uname -r)"
echo "MVT virtio_mmio_devices=$(ls /sys/bus/virtio/devices 2>/dev/null | wc -l)"
# The boot protocol's type_of_loader (offset 0x210 of boot_params): 0xff
# from minivmm's bzImage loader, 0xb0 (0x90 under Xen) when the kernel
# built boot_params itself on a PVH entry.
echo "MVT loader_type=$(od -An -tx1 -j 528 -N 1 /sys/kernel/boot_params/data 2>/dev/null | tr -d ' ')"

# XSAVE as minivmm shapes CPUID leaf 0xD (vmm/cpuid.c), read with the CPUID
# instruction of every CPU through /dev/cpu/N/cpuid (module cpuid):
# "ok" when 0xD.0 offers only state components that leaves 1 and 7 allow
# and have a size, and 0xD.0 ECX is the end of the furthest one (what
# Linux sums up), else what is wrong.  EBX follows the guest's XCR0 and
# comes from KVM, not from minivmm: the kernel's own warning covers it.
cpuid_regs()	# CPU LEAF SUBLEAF: "eax ebx ecx edx", decimal
{
	dd if="/dev/cpu/$1/cpuid" bs=16 count=1 skip=$((($3 << 32) | $2)) \
		iflag=skip_bytes 2>/dev/null | od -An -tu4
}
xsave_check()	# CPU
{
	r=$(cpuid_regs "$1" 1 0)
	[ -n "$r" ] || { echo "no /dev/cpu/$1/cpuid"; return; }
	# shellcheck disable=SC2086 # the four registers as words
	set -- "$1" $r
	l1=$4
	[ $((l1 >> 26 & 1)) -eq 1 ] || { echo "no-xsave"; return; }
	# shellcheck disable=SC2046 # the four registers as words
	set -- "$1" $(cpuid_regs "$1" 13 0)
	eax=$2 ecx=$4 end=576 bit=2
	if [ $((eax >> 2 & 1)) -eq 1 ] && [ $((l1 >> 28 & 1)) -eq 0 ]; then
		echo "cpu$1: AVX state offered without AVX"
		return
	fi
	while [ $bit -lt 32 ]; do
		if [ $((eax >> bit & 1)) -eq 1 ]; then
			# shellcheck disable=SC2046 # the four registers as words
			set -- "$1" $(cpuid_regs "$1" 13 $bit)
			[ "$2" -gt 0 ] || { echo "cpu$1: component $bit without a size"; return; }
			[ $(($3 + $2)) -gt $end ] && end=$(($3 + $2))
		fi
		bit=$((bit + 1))
	done
	[ "$ecx" -eq "$end" ] || { echo "cpu$1: 0xD.0 ECX $ecx, components end at $end"; return; }
	echo ok
}
xs=ok
for d in /dev/cpu/[0-9]*; do
	r=$(xsave_check "${d##*/}")
	[ "$r" = ok ] || { xs=$r; break; }
done
echo "MVT xsave_cpuid=$xs"
echo "MVT xsave_warning=$(dmesg -s 4194304 | grep -c 'XSAVE consistency problem')"
