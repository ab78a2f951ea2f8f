#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qemu-minivmm.sh - a stand-in for minivmm built on QEMU (TCG), to check
# layer-3 cases and guest scripts on a machine where minivmm cannot boot
# Linux (a software KVM) or before minivmm can:
#
#   MINIVMM=tests/linux/qemu-minivmm.sh tests/linux/run-cases.sh
#
# Takes minivmm's options (-kernel -initrd -append -m -smp -drive file=..
# -tap NAME) and runs QEMU's microvm machine, whose ACPI DSDT describes its
# virtio-mmio devices as minivmm's does.  Exit codes follow minivmm's:
# 0 power-off, 3 reboot (told apart from the console's last reboot line),
# 1 QEMU error.  -netboot is not supported.
set -uo pipefail

args=(-M microvm,acpi=on,rtc=on,pit=on,pic=on -accel tcg -cpu max -nodefaults -no-reboot
      -display none -chardev stdio,id=con,signal=off -serial chardev:con)
ndrive=0
ntap=0
while [ $# -gt 0 ]; do
	case $1 in
	-kernel|-initrd) args+=("$1" "$2"); shift ;;
	# Under TCG the kernel's PIT calibration of the TSC fails now and
	# then, and microvm has no other reference: the boot then hangs.
	# Its emergency restart (after a panic) may hang too: triple fault.
	-append) args+=(-append "$2 tsc_early_khz=2600000 reboot=t"); shift ;;
	-m) args+=(-m "$2"); shift ;;
	-smp) args+=(-smp "$2"); shift ;;
	-drive)
		file=${2#file=}
		file=${file%%,*}
		ro=off
		case $2 in *readonly*|*ro=on*) ro=on ;; esac
		args+=(-drive "id=d$ndrive,if=none,format=raw,file=$file,readonly=$ro"
		       -device "virtio-blk-device,drive=d$ndrive")
		ndrive=$((ndrive + 1))
		shift ;;
	-tap)
		args+=(-netdev "tap,id=n$ntap,ifname=$2,script=no,downscript=no"
		       -device "virtio-net-device,netdev=n$ntap")
		ntap=$((ntap + 1))
		shift ;;
	*) echo "qemu-minivmm: unsupported option $1" >&2; exit 2 ;;
	esac
	shift
done

# The console goes through a pipe so the last reboot line can be read.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
qemu-system-x86_64 "${args[@]}" | tee "$out"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || exit 1
last=$(tr -d '\r' <"$out" | grep -E 'reboot: (Power down|Restarting system)|Rebooting in' | tail -n 1)
case $last in
*Restarting*|*Rebooting*) exit 3 ;;
esac
exit 0
