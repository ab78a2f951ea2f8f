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
#
# MVT_QEMU_ACCEL=kvm runs it on KVM (-cpu host; vhost off), e.g. in the
# nested harness (MVT_NESTED_QEMU=1) to compare QEMU with minivmm on the
# same nested KVM.  -tap NAME[,bridge=BR][,mac=M] creates the TAP (when
# missing) and attaches it as minivmm would.
set -uo pipefail

accel=${MVT_QEMU_ACCEL:-tcg}
args=(-M microvm,acpi=on,rtc=on,pit=on,pic=on -nodefaults -no-reboot
      -display none -chardev stdio,id=con,signal=off -serial chardev:con)
if [ "$accel" = kvm ]; then
	args+=(-accel kvm -cpu host)
else
	args+=(-accel tcg -cpu max)
fi
taps=() tapnames=() stats=0
ndrive=0
ntap=0
while [ $# -gt 0 ]; do
	case $1 in
	-kernel|-initrd) args+=("$1" "$2"); shift ;;
	# Under TCG the kernel's PIT calibration of the TSC fails now and
	# then, and microvm has no other reference: the boot then hangs.
	# Its emergency restart (after a panic) may hang too: triple fault.
	-append)
		if [ "$accel" = kvm ]; then
			args+=(-append "$2 reboot=t")
		else
			args+=(-append "$2 tsc_early_khz=2600000 reboot=t")
		fi
		shift ;;
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
		name=${2%%,*} br= mac=
		case $2 in *bridge=*) br=${2#*bridge=}; br=${br%%,*} ;; esac
		case $2 in *mac=*) mac=${2#*mac=}; mac=${mac%%,*} ;; esac
		if ! ip link show dev "$name" >/dev/null 2>&1; then
			ip tuntap add dev "$name" mode tap || exit 1
			taps+=("$name")
		fi
		[ -n "$br" ] && { ip link set dev "$name" master "$br" || exit 1; }
		ip link set dev "$name" up
		tapnames+=("$name")
		args+=(-netdev "tap,id=n$ntap,ifname=$name,script=no,downscript=no,vhost=off"
		       -device "virtio-net-device,netdev=n$ntap${mac:+,mac=$mac}")
		ntap=$((ntap + 1))
		shift ;;
	-stats) stats=1; shift; continue ;;
	*) echo "qemu-minivmm: unsupported option $1" >&2; exit 2 ;;
	esac
	shift
done

# The console goes through a pipe so the last reboot line can be read.
out=$(mktemp)
trap 'rm -f "$out"; for t in "${taps[@]}"; do ip link del "$t" 2>/dev/null; done' EXIT
qemu-system-x86_64 "${args[@]}" | tee "$out"
rc=${PIPESTATUS[0]}
# -stats: minivmm's NIC line, from the TAP's counters (its rx = our tx)
if [ $stats -eq 1 ]; then
	for t in "${tapnames[@]}"; do
		d=/sys/class/net/$t/statistics
		echo "net $t: rx packets=$(cat $d/tx_packets) bytes=$(cat $d/tx_bytes) drops=$(cat $d/tx_dropped) errors=$(cat $d/tx_errors)," \
			"tx packets=$(cat $d/rx_packets) bytes=$(cat $d/rx_bytes) drops=$(cat $d/rx_dropped) errors=$(cat $d/rx_errors)" >&2
	done
fi
[ "$rc" -eq 0 ] || exit 1
last=$(tr -d '\r' <"$out" | grep -E 'reboot: (Power down|Restarting system)|Rebooting in' | tail -n 1)
case $last in
*Restarting*|*Rebooting*) exit 3 ;;
esac
exit 0
