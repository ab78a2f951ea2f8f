#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench.sh [--quick] [--out FILE] [--charts DIR] [--no-install] - minivmm
# side by side with QEMU and with the floor (the least a VMM must do), on
# this host's /dev/kvm.  As root: installs what it needs, builds, measures
# with alternating runs (min/median/max), writes docs/benchmarks.md and
# docs/charts/*.png.
#
#   a) start-up: exec -> first serial byte, exec -> exit (guest powers off
#      at once); minivmm's -trace-boot phases
#   b) memory: RSS minus the guest RAM pages actually touched, guest idle
#   c) start rate: sequential start -> power-off cycles per second
#   d) binary size
#   e) device cost: host CPU time per 4 KiB virtio-blk request
#   f) device cost: host CPU time per virtio-net frame (to a peer namespace)
#   netboot (when minivmm -netboot works), and hardware-KVM-only runs
#   when the host has kvm_intel/kvm_amd: Linux boot (Debian kernel and a
#   minimal "microvm" kernel, scripts/microvm-kernel.sh), dd + fio, iperf3
#   1 and 4 streams both ways, netboot of Linux with the installer's sizes
#
# --hw-only: only the hardware-KVM part (its own document; docs/benchmarks-hw.md).
# --nested: the hardware-KVM part in the nested harness' L1 (tests/nested/
# run.sh), for the harness' correctness only: its timings are not
# performance figures; the document is printed (--out FILE: also written).
# --kit DIR: (inside L1) use the kit in DIR instead of building anything.
# --no-hw: skip the hardware-KVM part even on a hardware-KVM host (the
# suite's smoke test: that part builds a kernel and takes minutes; it is
# checked with --nested --quick instead).
#
# --quick: one run of each, 1 s rate loops, small request counts, output
# to a temporary file (CI smoke test).  The full run takes about 4 minutes
# on a 2-CPU kvm_pvm machine and is bounded well below 15.
# Environment: BUILD_DIR (default build-bench), QEMU (qemu-system-x86_64).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-bench}
QEMU=${QEMU:-qemu-system-x86_64}
QUICK=0
INSTALL=1
OUT=
CHARTS=
RAM_MIB=128
HW_ONLY=0
NO_HW=0
NESTED=0
KIT=

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1; shift ;;
	--no-install) INSTALL=0; shift ;;
	--out) OUT=$2; shift 2 ;;
	--charts) CHARTS=$2; shift 2 ;;
	--hw-only) HW_ONLY=1; shift ;;
	--no-hw) NO_HW=1; shift ;;
	--nested) HW_ONLY=1; NESTED=1; shift ;;
	--kit) HW_ONLY=1; KIT=$2; INSTALL=0; shift 2 ;;
	-h|--help) sed -n '3,34p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

if [ $QUICK -eq 1 ]; then
	RUNS=1 Q35_RUNS=1 MEM_RUNS=1 RATE_S=1 RATE_SLICES=1 BLK_RUNS=1 BLK_N=100 NET_RUNS=1 NET_N=1000 NETBOOT_MIB=1
else
	RUNS=21 Q35_RUNS=5 MEM_RUNS=5 RATE_S=10 RATE_SLICES=5 BLK_RUNS=3 BLK_N=5000 NET_RUNS=5 NET_N=5000 NETBOOT_MIB=2
fi

# The hardware-KVM part: boot rounds, disk/iperf3 rounds, iperf3 seconds per
# run, dd MiB, fio seconds, netboot file sizes (MiB; --quick: a small initrd,
# still padded), one boot's time limit.
if [ $QUICK -eq 1 ]; then
	HW_RUNS=1 HW_IO_RUNS=1 HW_NET_T=2 HW_DISK_MB=32 HW_FIO_S=2 HW_NB_KERNEL_MIB=14 HW_NB_INITRD_MIB=4
else
	HW_RUNS=10 HW_IO_RUNS=3 HW_NET_T=10 HW_DISK_MB=1024 HW_FIO_S=10 HW_NB_KERNEL_MIB=14 HW_NB_INITRD_MIB=40
fi
HW_BOOT_T=120
NESTED_TIMEOUT=${MVT_BENCH_NESTED_TIMEOUT:-1500}
# In the nested harness' L1 (emulated SVM under TCG) a Linux boot takes
# 20-40 s, and more under load.
[ -n "${MVT_NESTED:-}" ] && HW_BOOT_T=400

WORK=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-bench.XXXXXX")
RES=$WORK/res
mkdir -p "$RES"
NETNS=
NETNS2=
DNSMASQ_PID=
IPERF_PID=
bench_cleanup()
{
	local p
	# a process in a deleted namespace lives on: stop the servers first
	for p in $DNSMASQ_PID $IPERF_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	[ -n "$NETNS2" ] && ip netns del "$NETNS2" 2>/dev/null
	rm -rf "$WORK"
}
trap bench_cleanup EXIT

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------- set-up

bench_install()
{
	local need=() p
	# the second line: the hardware-KVM part (the test kit, the microvm
	# kernel's build, the guests' iperf3 and fio)
	for p in build-essential cmake qemu-system-x86 gnuplot-nox dnsmasq-base iproute2 busybox-static \
		 cpio kmod xz-utils iperf3 fio linux-source-6.1 flex bison bc libelf-dev libssl-dev lz4; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	log "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

bench_build()
{
	log "building minivmm in $build"
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DMINIVMM_TESTS=OFF >/dev/null
	make -C "$build" -j"$(nproc)" --no-print-directory minivmm >/dev/null
	MINIVMM=$build/minivmm
	# bench/ builds inside the main tree once the top-level CMakeLists.txt
	# adds it; until then on its own.
	if make -C "$build" -j"$(nproc)" --no-print-directory bench_stamp \
		bench_floor bench_netfloor benchguest_bzimage >/dev/null 2>&1; then
		TOOLS=$build/bench
	else
		TOOLS=$build/bench-standalone
		cmake -S "$top/bench" -B "$TOOLS" >/dev/null
		make -C "$TOOLS" -j"$(nproc)" --no-print-directory >/dev/null
	fi
	STAMP=$TOOLS/bench_stamp
	FLOOR=$TOOLS/bench_floor
	NETFLOOR=$TOOLS/bench_netfloor
	GUEST_BZ=$TOOLS/benchguest.bzImage
	GUEST_ELF=$TOOLS/benchguest.elf
	for f in "$MINIVMM" "$STAMP" "$FLOOR" "$NETFLOOR" "$GUEST_BZ" "$GUEST_ELF"; do
		[ -e "$f" ] || die "build did not produce $f"
	done
}

kvm_type()
{
	local m
	for m in kvm_pvm kvm_intel kvm_amd; do
		[ -d /sys/module/$m ] && { echo $m; return; }
	done
	echo none
}

hw_kvm()
{
	case "$(kvm_type)" in
	kvm_intel|kvm_amd) grep -qwE 'vmx|svm' /proc/cpuinfo ;;
	*) return 1 ;;
	esac
}

tsc_mhz()
{
	local m
	m=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	[ -n "$m" ] || m=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	[ -n "$m" ] || m=$(awk -F': ' '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)
	echo "${m:-0}"
}

# ---------------------------------------------------------------- helpers

# stats FILE: "n min median max" of the numbers in FILE (one a line).
stats()
{
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "0 - - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %.6g %.6g %.6g\n", NR, v[1], m, v[NR] }'
}

median() { stats "$1" | awk '{ print $3 }'; }

# num X: X with one decimal, "-" when empty or not a number.
num() { awk -v x="$1" 'BEGIN { if (x ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) printf "%.1f\n", x; else print "-" }'; }

# field LINE KEY: the value of KEY=value in LINE.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n 1; }

# ratio A B: A / B with two decimals ("-" when either is missing).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }

# The contenders of the start-up benchmark: name|runs|command.
QEMU_COMMON="-m $RAM_MIB -display none -serial stdio -no-reboot -nodefaults -no-user-config"
# The device-cost runs: KVM, named threads, modern virtio-mmio.
QEMU_DEVCOST="-M microvm -accel kvm $QEMU_COMMON -name bench,debug-threads=on -global virtio-mmio.force-legacy=false"
MICROVM_TUNED=microvm,x-option-roms=off,rtc=off,pit=off,pic=off

contenders()
{
	echo "floor|$RUNS|$FLOOR"
	echo "minivmm|$RUNS|$MINIVMM -kernel $GUEST_BZ -m $RAM_MIB"
	if [ -n "$QEMU_ACCEL" ]; then
		echo "qemu-microvm|$RUNS|$QEMU -M microvm -accel $QEMU_ACCEL $QEMU_COMMON -kernel $GUEST_ELF"
		echo "qemu-microvm-tuned|$RUNS|$QEMU -M $MICROVM_TUNED -accel $QEMU_ACCEL $QEMU_COMMON -kernel $GUEST_ELF"
		echo "qemu-q35|$Q35_RUNS|$QEMU -M q35 -accel $QEMU_ACCEL $QEMU_COMMON -kernel $GUEST_ELF"
	fi
}

label()
{
	case "$1" in
	floor) echo "floor (bench/floor.c)" ;;
	minivmm) echo "minivmm" ;;
	qemu-microvm) echo "QEMU microvm" ;;
	qemu-microvm-tuned) echo "QEMU microvm, tuned" ;;
	qemu-q35) echo "QEMU q35" ;;
	*) echo "$1" ;;
	esac
}

# QEMU with KVM where it works here, else TCG (said in the document).
qemu_probe()
{
	QEMU_ACCEL=
	QEMU_NOTE=
	if ! command -v "$QEMU" >/dev/null; then
		QEMU_NOTE="QEMU not found: no QEMU rows."
		return
	fi
	QEMU_VERSION=$("$QEMU" --version | head -n 1)
	local a line
	for a in kvm tcg; do
		line=$("$STAMP" -t 60 -- $QEMU -M microvm -accel $a $QEMU_COMMON \
			-kernel "$GUEST_ELF" 2>/dev/null) || true
		if [ "$(field "$line" rc)" = 0 ] && [ "$(field "$line" first_us)" != -1 ]; then
			QEMU_ACCEL=$a
			break
		fi
		QEMU_NOTE="QEMU -accel $a failed here ($line); "
	done
	if [ "$QEMU_ACCEL" = kvm ]; then
		QEMU_NOTE="QEMU runs with -accel kvm on this host's $(kvm_type)."
	elif [ -n "$QEMU_ACCEL" ]; then
		QEMU_NOTE="${QEMU_NOTE}QEMU rows use -accel tcg (software emulation)."
	else
		QEMU_NOTE="${QEMU_NOTE}QEMU could not run the guest: no QEMU rows."
	fi
}

# bench_lan_ns NS ADDR: a private namespace (../shared/testnet.md) with a
# bridge br0 holding ADDR/24 and the guest's TAP tap0; NETNS names it (for
# the exit trap).  On failure nothing is left behind.
bench_lan_ns()
{
	NETNS=$1
	ip netns add "$1" || { NETNS=; return 1; }
	if ! { ip -n "$1" link set lo up &&
	       ip -n "$1" link add br0 type bridge &&
	       ip -n "$1" addr add "$2/24" dev br0 &&
	       ip -n "$1" link set br0 up &&
	       ip -n "$1" tuntap add tap0 mode tap &&
	       ip -n "$1" link set tap0 master br0 &&
	       ip -n "$1" link set tap0 up; }; then
		ip netns del "$1"
		NETNS=
		return 1
	fi
}

# bench_lan_client NS2 ADDR: a second namespace NS2 (NETNS2) with ADDR/24
# on a veth whose peer is on NETNS's bridge: a host-side client there.
bench_lan_client()
{
	NETNS2=$1
	ip netns add "$1" || { NETNS2=; return 1; }
	ip -n "$NETNS" link add vc0 type veth peer name vc1 netns "$1" &&
	ip -n "$NETNS" link set vc0 master br0 &&
	ip -n "$NETNS" link set vc0 up &&
	ip -n "$1" link set lo up &&
	ip -n "$1" addr add "$2/24" dev vc1 &&
	ip -n "$1" link set vc1 up
}

# ------------------------------------------------------------ a) start-up

bench_startup()
{
	local r i n name runs cmd line order
	mapfile -t order < <(contenders)
	n=${#order[@]}
	log "start-up: $RUNS alternating rounds (q35: $Q35_RUNS)"
	for ((r = 0; r < RUNS; r++)); do
		for ((i = 0; i < n; i++)); do
			IFS='|' read -r name runs cmd <<<"${order[$(((i + r) % n))]}"
			[ "$r" -lt "$runs" ] || continue
			line=$("$STAMP" -t 60 -p "BENCH up" -- $cmd 2>/dev/null)
			if [ "$(field "$line" rc)" != 0 ]; then
				log "$name run failed: $line"
				echo "$name $line" >>"$RES/failures"
				continue
			fi
			awk -v v="$(field "$line" first_us)" 'BEGIN { print v / 1000 }' >>"$RES/start.$name.first"
			# the guest's banner, after its own start-up code (not the floor's)
			[ "$(field "$line" pattern_us)" = -1 ] ||
				awk -v v="$(field "$line" pattern_us)" 'BEGIN { print v / 1000 }' >>"$RES/start.$name.banner"
			awk -v v="$(field "$line" exit_us)" 'BEGIN { print v / 1000 }' >>"$RES/start.$name.exit"
		done
		# minivmm's and the floor's own phase clocks, in the same rounds
		"$MINIVMM" -kernel "$GUEST_BZ" -m $RAM_MIB -trace-boot \
			</dev/null >/dev/null 2>>"$RES/trace.minivmm" || true
		"$FLOOR" -v </dev/null >/dev/null 2>>"$RES/trace.floor" || true
	done
	# phase -> one file of values per phase
	sed -n 's/^minivmm: trace *\([0-9.]*\) ms  \(.*\)$/\2|\1/p' "$RES/trace.minivmm" |
		sed 's/^exit; .*|/exit|/' | while IFS='|' read -r ph v; do
			echo "$v" >>"$RES/phase.minivmm.${ph// /_}"
		done
	sed -n 's/.*VMM CPU time user \([0-9.]*\) ms, system \([0-9.]*\) ms/\1 \2/p' \
		"$RES/trace.minivmm" | awk '{ print $1 + $2 }' >"$RES/phase.minivmm.cpu"
	sed -n 's/^floor: *\([0-9.]*\) ms  \(.*\)$/\2|\1/p' "$RES/trace.floor" |
		while IFS='|' read -r ph v; do
			ph=${ph//,/}
			echo "$v" >>"$RES/phase.floor.${ph// /_}"
		done
}

# ------------------------------------------------------------- b) memory

bench_memory()
{
	local r name cmd line
	log "memory: $MEM_RUNS alternating runs"
	for ((r = 0; r < MEM_RUNS; r++)); do
		for name in minivmm qemu-microvm qemu-q35; do
			case $name in
			minivmm) cmd="$MINIVMM -kernel $GUEST_BZ -m $RAM_MIB -append bench.action=halt" ;;
			qemu-microvm) [ -n "$QEMU_ACCEL" ] || continue
				cmd="$QEMU -M microvm -accel $QEMU_ACCEL $QEMU_COMMON -kernel $GUEST_ELF -append bench.action=halt" ;;
			qemu-q35) [ -n "$QEMU_ACCEL" ] && [ "$r" -lt "$Q35_RUNS" ] || continue
				cmd="$QEMU -M q35 -accel $QEMU_ACCEL $QEMU_COMMON -kernel $GUEST_ELF -append bench.action=halt" ;;
			esac
			line=$("$STAMP" -t 60 -m "GUEST halt" -r $RAM_MIB -s 300 -- $cmd 2>/dev/null | head -n 1) || true
			if [ -z "$(field "$line" overhead_kb)" ]; then
				log "$name memory run failed: $line"
				echo "$name memory: $line" >>"$RES/failures"
				continue
			fi
			for k in rss_kb guest_kb overhead_kb pss_kb; do
				field "$line" $k >>"$RES/mem.$name.$k"
			done
		done
	done
	MEM_CMD_MINIVMM="$MINIVMM -kernel $GUEST_BZ -m $RAM_MIB -append bench.action=halt"
}

# ---------------------------------------------------------- c) start rate

bench_rate()
{
	local name runs cmd line order i n r slice
	mapfile -t order < <(contenders | grep -v '^qemu-q35|')	# q35: seconds per cycle, see a)
	n=${#order[@]}
	# RATE_SLICES slices per VMM, round-robin, so a change in the host's
	# load hits every VMM alike; the rate is all cycles / all seconds.
	slice=$(awk -v s="$RATE_S" -v k="$RATE_SLICES" 'BEGIN { print s / k }')
	log "start rate: ${RATE_S} s per VMM in $RATE_SLICES alternating slices"
	for ((r = 0; r < RATE_SLICES; r++)); do
		for ((i = 0; i < n; i++)); do
			IFS='|' read -r name runs cmd <<<"${order[$(((i + r) % n))]}"
			line=$("$STAMP" -t 60 -L "$slice" -- $cmd 2>/dev/null) || true
			echo "$line" >>"$RES/rate.$name.slices"
		done
	done
	for ((i = 0; i < n; i++)); do
		IFS='|' read -r name runs cmd <<<"${order[$i]}"
		tr ' ' '\n' <"$RES/rate.$name.slices" | awk -F= '
			$1 == "cycles" { c += $2 } $1 == "seconds" { s += $2 }
			$1 == "failed" { f += $2 }
			END { printf "cycles=%d seconds=%.3f rate=%.3f failed=%d\n", c, s, s ? c / s : 0, f }' \
			>"$RES/rate.$name"
	done
}

# ------------------------------------------------------- d) binary size

bench_size()
{
	strip --strip-all -o "$WORK/minivmm.stripped" "$MINIVMM"
	strip --strip-all -o "$WORK/floor.stripped" "$FLOOR"
	SIZE_MINIVMM=$(stat -c %s "$WORK/minivmm.stripped")
	SIZE_MINIVMM_RAW=$(stat -c %s "$MINIVMM")
	SIZE_FLOOR=$(stat -c %s "$WORK/floor.stripped")
	LIBS_MINIVMM=$(ldd "$MINIVMM" 2>/dev/null | grep -c '=>' || true)
	# the embedded netboot firmware: minivmm_firmware_start .. _end
	local fs fe
	fs=$(nm "$MINIVMM" 2>/dev/null | awk '$3 == "minivmm_firmware_start" { print $1 }')
	fe=$(nm "$MINIVMM" 2>/dev/null | awk '$3 == "minivmm_firmware_end" { print $1 }')
	FIRMWARE_IN=no
	[ -n "$fs" ] && [ -n "$fe" ] && FIRMWARE_IN="yes, $((16#$fe - 16#$fs)) bytes"
	SIZE_QEMU=- LIBS_QEMU=- LIBSIZE_QEMU=- SIZE_QEMU_FW=-
	if command -v "$QEMU" >/dev/null; then
		local q
		q=$(command -v "$QEMU")
		SIZE_QEMU=$(stat -L -c %s "$q")
		LIBS_QEMU=$(ldd "$q" | grep -c '=>' || true)
		LIBSIZE_QEMU=$(ldd "$q" | awk '/=>/ && $3 ~ /^\// { print $3 }' |
			xargs -r stat -L -c %s | awk '{ s += $1 } END { print s + 0 }')
		SIZE_QEMU_FW=$(stat -L -c %s /usr/share/qemu/bios-microvm.bin 2>/dev/null || echo -)
	fi
}

# ------------------------------------------------------ e) device cost

# blk_sum LINES REGEX: summed cpu_ms (and switches) of the threads whose
# comm matches REGEX ('!REGEX': does not match).
blk_sum()
{
	awk -v re="$2" 'BEGIN { neg = sub(/^!/, "", re) }
		/^thread / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if ((f["comm"] ~ re) != neg) { c += f["cpu_ms"]; s += f["switches"] } }
		END { printf "%.3f %d\n", c, s }' <<<"$1"
}

# dev_cost_run KEY NAME N IO VCPU CMD: one device-cost run of CMD (the
# guest does N requests, prints "BENCH DEV done=D errors=E tsc=T", halts;
# DEV is KEY up to its first '-': blk, net); appends "io_ms io_sw vcpu_ms
# vcpu_sw all_ms all_sw non-vcpu_ms" of the threads matching IO and VCPU
# (blk_sum) to $RES/KEY.NAME.N, the guest's line to $RES/KEY.NAME.guest.
dev_cost_run()
{
	local key=$1 name=$2 n=$3 io=$4 vcpu=$5 cmd=$6 out guest
	local dev=${key%%-*}
	# eval: the -append value holds a blank
	out=$(eval "\"\$STAMP\" -t 120 -o \"\$WORK/\$key.out\" -m 'GUEST halt' -r $RAM_MIB -s 100 -- $cmd" 2>/dev/null) || true
	guest=$(tr -d '\r' <"$WORK/$key.out" | grep "BENCH $dev done" || true)
	if [ "$(field "$guest" 'done')" != "$n" ] || [ "$(field "$guest" errors)" != 0 ]; then
		log "$name $key run (n=$n) failed: ${guest:-no result}"
		echo "$name $key n=$n: ${guest:-no result}" >>"$RES/failures"
		return
	fi
	[ "$n" = 0 ] || echo "$guest" >>"$RES/$key.$name.guest"
	echo "$(blk_sum "$out" "$io") $(blk_sum "$out" "$vcpu") $(blk_sum "$out" .)" |
		awk '{ print $0, $5 - $3 }' >>"$RES/$key.$name.$n"
}

declare -A DEV_CMD	# "blk.minivmm" -> the command, for the document

# dev_cost_rounds KEY ROUNDS N [PREFIX]: in each round, every VMM with
# 0 and N requests, then ${DEV}_round_end KEY N PREFIX if DEV has one (DEV
# is KEY up to its first '-').  ${DEV}_cmd NAME N sets cmd, io and vcpu
# (the thread-name patterns of dev_cost_run), or fails to skip that VMM.
# PREFIX (e.g. "taskset -c 0") runs every command under it.
dev_cost_rounds()
{
	local key=$1 rounds=$2 big=$3 prefix=${4:-} r n name cmd io vcpu
	local dev=${key%%-*}
	for ((r = 0; r < rounds; r++)); do
		for n in 0 $big; do
			for name in minivmm qemu-microvm; do
				"${dev}_cmd" "$name" "$n" || continue
				cmd="${prefix:+$prefix }$cmd"
				DEV_CMD[$key.$name]=$cmd
				dev_cost_run "$key" "$name" "$n" "$io" "$vcpu" "$cmd"
			done
		done
		if declare -F "${dev}_round_end" >/dev/null; then
			"${dev}_round_end" "$key" "$big" "$prefix"
		fi
	done
}

blk_cmd()
{
	case $1 in
	minivmm)
		cmd="$MINIVMM -kernel $GUEST_BZ -m $RAM_MIB -drive file=$BLK_IMG -append 'bench.action=blk bench.n=$2'"
		io='^virtio-blk' vcpu='^vcpu' ;;
	qemu-microvm)
		[ "$QEMU_ACCEL" = kvm ] || return 1
		cmd="$QEMU $QEMU_DEVCOST -object iothread,id=io0 -drive file=$BLK_IMG,if=none,id=d0,format=raw,cache=writeback,aio=threads -device virtio-blk-device,drive=d0,iothread=io0 -kernel $GUEST_ELF -append 'bench.action=blk bench.n=$2'"
		io='^(IO_io0|worker)' vcpu='^CPU_' ;;
	esac
}

bench_blk()
{
	BLK_IMG=$WORK/disk.img
	dd if=/dev/zero of="$BLK_IMG" bs=1M count=64 status=none
	cat "$BLK_IMG" >/dev/null
	log "device cost: $BLK_RUNS x {0, $BLK_N} virtio-blk reads of 4 KiB"
	dev_cost_rounds blk "$BLK_RUNS" "$BLK_N"
}

NET_NOTE=

# bench_net_ns: the network of the virtio-net device cost (see
# ../shared/testnet.md): namespace NETNS with a bridge, the guests' TAPs
# (tap0 for minivmm, tapq for QEMU, tapf for the floor, bench_netfloor)
# and a veth to the peer namespace
# NETNS2.  The guest's broadcast frames cross the bridge to the peer, which
# drops them (unknown ethertype); nothing answers.  No addresses, and no
# IPv6 so that no autoconfiguration chatter reaches the guest.
bench_net_ns()
{
	local ns t
	NETNS=mvt-benchnet-$$
	NETNS2=mvt-benchpeer-$$
	ip netns add "$NETNS" || return
	ip netns add "$NETNS2" || return
	for ns in "$NETNS" "$NETNS2"; do
		ip netns exec "$ns" sh -c 'for c in all default; do
			echo 1 >/proc/sys/net/ipv6/conf/$c/disable_ipv6; done' 2>/dev/null || true
		ip -n "$ns" link set lo up || return
	done
	ip -n "$NETNS" link add br0 type bridge || return
	ip -n "$NETNS" link set br0 up || return
	for t in tap0 tapq tapf; do
		ip -n "$NETNS" tuntap add "$t" mode tap || return
		ip -n "$NETNS" link set "$t" master br0 || return
		ip -n "$NETNS" link set "$t" up || return
	done
	ip -n "$NETNS" link add vp0 type veth peer name vp1 netns "$NETNS2" || return
	ip -n "$NETNS" link set vp0 master br0 || return
	ip -n "$NETNS" link set vp0 up || return
	ip -n "$NETNS2" link set vp1 up
}

# f) the same as bench_blk for virtio-net: the guest sends N frames of 64
# payload bytes (polled TX, one descriptor each) and halts once the device
# has returned them all.  QEMU's virtio-net has no iothread: its TX runs in
# the main loop, so its "I/O threads" are all its non-vCPU threads.
net_cmd()
{
	case $1 in
	minivmm)
		cmd="ip netns exec $NETNS $MINIVMM -kernel $GUEST_BZ -m $RAM_MIB -tap tap0 -append 'bench.action=net bench.n=$2'"
		io='^net-' vcpu='^vcpu' ;;
	qemu-microvm)
		[ "$QEMU_ACCEL" = kvm ] || return 1
		cmd="ip netns exec $NETNS $QEMU $QEMU_DEVCOST -netdev tap,id=n0,ifname=tapq,script=no,downscript=no,vhost=off -device virtio-net-device,netdev=n0 -kernel $GUEST_ELF -append 'bench.action=net bench.n=$2'"
		io='!^CPU_' vcpu='^CPU_' ;;
	esac
}

# net_round_end KEY N PREFIX: the device floor after each round's VMM runs:
# bench_netfloor sends N frames to tapf, one wake-up and one TAP write per
# frame, at the guest's pace in this round (minivmm's vCPU CPU time per
# frame so far, the time the guest spends between two notifies).
net_round_end()
{
	local key=$1 n=$2 prefix=$3 gap line
	gap=$(dev_per "$key" "$n" minivmm 3 1000 2>/dev/null)
	case $gap in ''|-|-*) gap=150 ;; esac
	line=$(${prefix:+$prefix }ip netns exec "$NETNS" "$NETFLOOR" -i tapf \
		-n "$n" -g "${gap%.*}" 2>&1) || {
		log "device floor ($key) failed: $line"
		echo "floor $key: $line" >>"$RES/failures"
		return 0
	}
	echo "$line" >>"$RES/$key.floor"
	DEV_CMD[$key.floor]="${prefix:+$prefix }ip netns exec $NETNS $NETFLOOR -i tapf -n $n -g GAP_US"
}

bench_net()
{
	if ! bench_net_ns; then
		NET_NOTE="could not build the test network (ip netns, tun, bridge, veth)"
		log "virtio-net device cost skipped: $NET_NOTE"
		ip netns del "$NETNS2" 2>/dev/null || true
		ip netns del "$NETNS" 2>/dev/null || true
		NETNS=
		NETNS2=
		return 0
	fi
	log "device cost: $NET_RUNS x {0, $NET_N} virtio-net frames of 64 bytes, and the floor"
	dev_cost_rounds net "$NET_RUNS" "$NET_N"
	# The same with every thread of each VMM (and of the floor) on one host
	# CPU: the device thread then wakes on the CPU its vCPU thread runs on
	# instead of on an idle one, which is most of a frame's cost here.
	log "device cost on one host CPU (taskset -c 0)"
	dev_cost_rounds net-1cpu "$NET_RUNS" "$NET_N" "taskset -c 0"
	ip netns del "$NETNS2"
	NETNS2=
	ip netns del "$NETNS"
	NETNS=
}

# --------------------------------------------------------------- netboot

# Times minivmm -netboot of the benchmark guest from dnsmasq (DHCP + TFTP)
# in a private network namespace (../shared/testnet.md rules).  Fills the
# netboot section only when the built-in firmware boots it.
bench_netboot()
{
	local t=$WORK/tftp r line
	NETBOOT_NOTE=
	command -v dnsmasq >/dev/null || { NETBOOT_NOTE="dnsmasq not installed"; return; }
	mkdir -p "$t/pxelinux.cfg"
	cp "$GUEST_BZ" "$t/benchguest.bzImage"
	printf 'DEFAULT bench\nLABEL bench\n  KERNEL benchguest.bzImage\n  APPEND bench.action=poweroff\n' \
		>"$t/pxelinux.cfg/default"
	bench_lan_ns mvt-bench-$$ 10.0.2.1 ||
		{ NETBOOT_NOTE="could not build the test network"; return; }
	ip netns exec "$NETNS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
		--interface=br0 --bind-interfaces --dhcp-range=10.0.2.10,10.0.2.50,1h \
		--enable-tftp --tftp-root="$t" --dhcp-boot=pxelinux.0 \
		>"$WORK/dnsmasq.log" 2>&1 &
	DNSMASQ_PID=$!
	sleep 0.3
	NETBOOT_CMD="ip netns exec $NETNS $MINIVMM -netboot -tap tap0 -m $RAM_MIB"
	for ((r = 0; r < (QUICK ? 1 : 10); r++)); do
		line=$("$STAMP" -t 60 -o "$WORK/netboot.out" -p "BENCH up" -- \
			$NETBOOT_CMD -trace-boot 2>"$WORK/netboot.err") || true
		if [ "$(field "$line" rc)" != 0 ] || [ "$(field "$line" pattern_us)" = -1 ]; then
			NETBOOT_NOTE="minivmm -netboot did not boot the guest here (exit $(field "$line" rc)): $(head -c 300 "$WORK/netboot.err" | tr '\n' ' ')"
			break
		fi
		awk -v v="$(field "$line" first_us)" 'BEGIN { print v / 1000 }' >>"$RES/netboot.first"
		awk -v v="$(field "$line" pattern_us)" 'BEGIN { print v / 1000 }' >>"$RES/netboot.guest"
		awk -v v="$(field "$line" exit_us)" 'BEGIN { print v / 1000 }' >>"$RES/netboot.exit"
		# the firmware's "kernel entry" mark (0x15), on minivmm's clock
		sed -n 's/^minivmm: trace *\([0-9.]*\) ms  guest marker 21$/\1/p' \
			"$WORK/netboot.err" >>"$RES/netboot.kentry"
	done
	[ -z "$NETBOOT_NOTE" ] && bench_netboot_tftp "$t"
	kill "$DNSMASQ_PID" 2>/dev/null || true
	wait "$DNSMASQ_PID" 2>/dev/null || true
	DNSMASQ_PID=
	ip netns del "$NETNS"
	NETNS=
}

# netboot_exits FILE: vcpu0's exit count from a -stats run's stderr.
# KVM's own count (in-kernel exits too: ioeventfd kicks) when the kernel
# has it, else the exits minivmm handled.
netboot_exits()
{
	local k
	k=$(sed -n 's/^vcpu0: .* kvm_exits=\([0-9]*\)$/\1/p' "$1")
	[ -n "$k" ] && { echo "$k"; return; }
	sed -n 's/^vcpu0: exits=\([0-9]*\) .*/\1/p' "$1"
}

# bench_netboot_tftp TFTPROOT: TFTP throughput of the firmware and VM exits
# per TFTP block: runs without and with a NETBOOT_MIB initrd alternate
# (-stats); the difference of their exits over the initrd's blocks is the
# per-block cost.  Then the practical limit: busybox tftp fetching the same
# file from the same dnsmasq, in a second namespace on the same bridge.
bench_netboot_tftp()
{
	local t=$1 r line with=$WORK/nb-with.err without=$WORK/nb-without.err
	local size ms blk e0 e1 t0 t1
	head -c $((NETBOOT_MIB << 20)) /dev/urandom >"$t/big.img"
	for ((r = 0; r < (QUICK ? 1 : 5); r++)); do
		printf 'DEFAULT bench\nLABEL bench\n  KERNEL benchguest.bzImage\n  APPEND bench.action=poweroff\n' \
			>"$t/pxelinux.cfg/default"
		timeout 120 $NETBOOT_CMD -stats </dev/null >/dev/null 2>"$without" || continue
		printf 'DEFAULT bench\nLABEL bench\n  KERNEL benchguest.bzImage\n  INITRD big.img\n  APPEND bench.action=poweroff\n' \
			>"$t/pxelinux.cfg/default"
		timeout 300 $NETBOOT_CMD -stats </dev/null >"$WORK/nb-with.out" 2>"$with" || continue
		line=$(tr -d '\r' <"$WORK/nb-with.out" | grep '^TFTP: big.img: ' | head -n 1)
		# "TFTP: big.img: N bytes in M ms (K KiB/s, blksize B window W, ...)"
		read -r size ms blk < <(sed -n 's/.*: \([0-9]*\) bytes in \([0-9]*\) ms .*blksize \([0-9]*\) .*/\1 \2 \3/p' <<<"$line")
		e0=$(netboot_exits "$without")
		e1=$(netboot_exits "$with")
		[ -n "$size" ] && [ -n "$e0" ] && [ -n "$e1" ] && [ "$ms" -gt 0 ] || continue
		NETBOOT_BLKSIZE=$blk
		awk -v s="$size" -v m="$ms" 'BEGIN { printf "%.3f\n", s / m / 1000 }' >>"$RES/netboot.tftp_mbs"
		awk -v a="$e0" -v b="$e1" -v s="$size" -v k="$blk" \
			'BEGIN { n = int(s / k) + 1; printf "%.3f\n", (b - a) / n }' \
			>>"$RES/netboot.exits_per_block"
	done
	[ -n "${NETBOOT_BLKSIZE:-}" ] || return 0
	# the practical limit: a host-side client, another namespace, same bridge
	local ns2=mvt-benchc-$$
	bench_lan_client "$ns2" 10.0.2.200
	sleep 0.3
	for ((r = 0; r < (QUICK ? 1 : 5); r++)); do
		t0=$(date +%s%N)
		ip netns exec "$ns2" busybox tftp -g -r big.img -l /dev/null \
			-b "$NETBOOT_BLKSIZE" 10.0.2.1 || continue
		t1=$(date +%s%N)
		awk -v s=$((NETBOOT_MIB << 20)) -v ns=$((t1 - t0)) \
			'BEGIN { printf "%.3f\n", s / (ns / 1e9) / 1e6 }' >>"$RES/netboot.client_mbs"
	done
	ip netns del "$ns2"
	NETNS2=
}

# ----------------------------------------------- hardware-KVM-only runs
#
# Linux guests: the Debian cloud kernel of tests/linux and the "microvm"
# kernel of scripts/microvm-kernel.sh, with the layer-3 test initramfs and
# the guest scripts of bench/linux/ (appended as a second cpio).  Only
# meaningful with hardware KVM; the nested harness (--nested) runs them for
# the harness' correctness, and the document then says its timings are
# not performance figures.

HW_NOTE=
HW_MEM=512
declare -A HW_CMD	# "boot.debian.minivmm" -> a command, for the document

bench_hw_skip_reason()
{
	local k
	k=$(kvm_type)
	case $k in
	kvm_intel|kvm_amd)
		grep -qwE 'vmx|svm' /proc/cpuinfo || { echo "$k loaded but no vmx/svm CPU flag"; return; }
		echo "" ;;
	none) echo "no KVM module loaded" ;;
	*) echo "/dev/kvm is $k (guest code is emulated, a stock Linux kernel cannot reach userspace here)" ;;
	esac
}

# bench_hw_cpio OUT BASE [TOOL...]: BASE (an initramfs) followed by a newc
# cpio with bench/linux/*.sh as /mvt/ and each TOOL with its shared
# libraries (the kernel unpacks both archives).
bench_hw_cpio()
{
	local out=$1 base=$2 x b lib
	shift 2
	x=$(mktemp -d "$WORK/cpio.XXXXXX")
	mkdir -p "$x/mvt" "$x/usr/bin"
	install -m 0755 "$top"/bench/linux/*.sh "$x/mvt/"
	for b in "$@"; do
		command -v "$b" >/dev/null || {
			log "$b not installed: not in the guest"
			echo "$b is not installed on the host: no $b rows" >>"$RES/failures"
			continue; }
		b=$(command -v "$b")
		cp -L "$b" "$x/usr/bin/"
		for lib in $(ldd "$b" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			mkdir -p "$x$(dirname "$lib")"
			cp -L "$lib" "$x$lib"
		done
	done
	(cd "$x" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$x.cpio"
	# The kernel looks for the next archive at a 4-byte boundary.
	cp "$base" "$out"
	truncate -s %4 "$out"
	cat "$x.cpio" >>"$out"
	rm -rf "$x" "$x.cpio"
}

# bench_hw_kit: KERNEL (Debian), MICROVM_KERNEL, and the initramfs images:
# HW_INITRD (boot: guest scripts only), HW_INITRD_NET (+ iperf3),
# HW_INITRD_DISK (+ fio).  With --kit DIR, all come ready-made from DIR
# (the nested harness' L1 has no compiler), KERNEL from the environment.
bench_hw_kit()
{
	MICROVM_NOTE=
	if [ -n "$KIT" ]; then
		[ -n "${KERNEL:-}" ] || { log "--kit: KERNEL not set"; return 1; }
		MICROVM_KERNEL=$KIT/microvm.bzImage
		[ -f "$MICROVM_KERNEL" ] || { MICROVM_KERNEL=; MICROVM_NOTE=$(cat "$KIT/microvm.note" 2>/dev/null || echo "not in the kit"); }
		HW_INITRD=$KIT/initrd.boot
		HW_INITRD_NET=$KIT/initrd.net
		HW_INITRD_DISK=$KIT/initrd.disk
		return 0
	fi
	eval "$("$top/tests/guest/test-kit.sh")" || return 1
	local mk=()
	[ $INSTALL -eq 1 ] || mk=(--no-install)
	log "building (or finding) the microvm kernel"
	if ! MICROVM_KERNEL=$("$top/scripts/microvm-kernel.sh" "${mk[@]}" 2>"$WORK/microvm-kernel.log"); then
		MICROVM_KERNEL=
		MICROVM_NOTE="scripts/microvm-kernel.sh failed: $(tail -n 3 "$WORK/microvm-kernel.log" | tr '\n' ' ')"
		log "$MICROVM_NOTE"
	fi
	HW_INITRD=$WORK/initrd.boot
	HW_INITRD_NET=$WORK/initrd.net
	HW_INITRD_DISK=$WORK/initrd.disk
	bench_hw_cpio "$HW_INITRD" "$INITRD" &&
	bench_hw_cpio "$HW_INITRD_NET" "$INITRD" iperf3 &&
	bench_hw_cpio "$HW_INITRD_DISK" "$INITRD" fio
}

# hw_cmd VMM KERNEL INITRD APPEND [drive IMG] [tap NAME]: the command that
# boots KERNEL under VMM (minivmm, qemu-microvm), into the array cmd.
hw_cmd()
{
	local vmm=$1 k=$2 i=$3 a=$4
	shift 4
	case $vmm in
	minivmm)
		cmd=("$MINIVMM" -kernel "$k" -initrd "$i" -m "$HW_MEM" -append "$a") ;;
	qemu-microvm)
		cmd=("$QEMU" -M microvm -accel kvm -cpu host -m "$HW_MEM" -display none
		     -serial stdio -no-reboot -nodefaults -no-user-config
		     -global virtio-mmio.force-legacy=false
		     -kernel "$k" -initrd "$i" -append "$a") ;;
	esac
	while [ $# -gt 0 ]; do
		case $vmm.$1 in
		minivmm.drive) cmd+=(-drive "file=$2") ;;
		minivmm.tap) cmd+=(-tap "$2") ;;
		qemu-microvm.drive)
			cmd+=(-drive "file=$2,if=none,id=d0,format=raw,cache=writeback"
			      -device virtio-blk-device,drive=d0) ;;
		qemu-microvm.tap)
			cmd+=(-netdev "tap,id=n0,ifname=$2,script=no,downscript=no,vhost=off"
			      -device virtio-net-device,netdev=n0) ;;
		esac
		shift 2
	done
}

# hw_kernels: "name path" of the kernels booted (microvm when built).
hw_kernels()
{
	echo "debian $KERNEL"
	[ -n "$MICROVM_KERNEL" ] && echo "microvm $MICROVM_KERNEL"
	return 0
}

# Linux boot to init (MVT-READY) and to power-off, each kernel, minivmm
# vs QEMU microvm, alternating.
bench_hw_linux_boot()
{
	local r i n kern k vmm line order=() app="console=ttyS0 quiet panic=-1 mvt.run=bench_boot"
	while read -r kern k; do
		for vmm in minivmm qemu-microvm; do
			order+=("$kern $k $vmm")
		done
	done < <(hw_kernels)
	n=${#order[@]}
	log "hardware KVM: Linux boot, $HW_RUNS alternating rounds"
	for ((r = 0; r < HW_RUNS; r++)); do
		for ((i = 0; i < n; i++)); do
			read -r kern k vmm <<<"${order[$(((i + r) % n))]}"
			hw_cmd "$vmm" "$k" "$HW_INITRD" "$app"
			HW_CMD[boot.$kern.$vmm]="${cmd[*]}"
			line=$("$STAMP" -t $HW_BOOT_T -o "$WORK/hwboot.out" -p MVT-READY -- "${cmd[@]}" 2>/dev/null) || true
			if [ "$(field "$line" rc)" != 0 ] || [ "$(field "$line" pattern_us)" = -1 ] ||
			   ! grep -q 'MVT-DONE rc=0' "$WORK/hwboot.out"; then
				log "$kern/$vmm boot failed: $line"
				{ echo "$kern kernel, $vmm, boot: $line; console tail:"
				  tr -d '\r' <"$WORK/hwboot.out" | tail -n 8 | sed 's/^/    /'; } >>"$RES/failures"
				continue
			fi
			awk -v v="$(field "$line" pattern_us)" 'BEGIN { print v / 1000 }' >>"$RES/hw.boot.$kern.$vmm.init"
			awk -v v="$(field "$line" exit_us)" 'BEGIN { print v / 1000 }' >>"$RES/hw.boot.$kern.$vmm.exit"
		done
	done
}

# hw_guest NAME TIMEOUT CMD...: run a benchmark guest; append its "MVT k=v"
# facts to $RES/hw.NAME.KEY (one value a line), log a failure.
hw_guest()
{
	local name=$1 t=$2 out=$WORK/hwguest.out kv
	shift 2
	timeout -k 5 "$t" "$@" </dev/null >"$out" 2>&1 || true
	tr -d '\r' <"$out" | sed -n 's/^MVT \([a-z0-9_.]*\)=\(.*\)$/\1 \2/p' |
		while read -r kv v; do
			[ "$v" = - ] || echo "$v" >>"$RES/hw.$name.$kv"
		done
	if ! tr -d '\r' <"$out" | grep -q 'MVT-DONE rc=0'; then
		log "$name run failed"
		{ echo "$name: $(bench_path "$*"); console tail:"
		  tr -d '\r' <"$out" | grep -v '^\[' | tail -n 8 | sed 's/^/    /'; } >>"$RES/failures"
	fi
}

# dd and fio on a virtio-blk disk in the guest (Debian kernel).
bench_hw_disk()
{
	local img=$WORK/hw-disk.img r vmm
	local app="console=ttyS0 quiet mvt.run=bench_disk mvt.mb=$HW_DISK_MB mvt.fio_s=$HW_FIO_S"
	log "hardware KVM: disk, $HW_IO_RUNS rounds (dd $HW_DISK_MB MiB, fio $HW_FIO_S s)"
	truncate -s $(((HW_DISK_MB + 16) << 20)) "$img"
	for ((r = 0; r < HW_IO_RUNS; r++)); do
		for vmm in minivmm qemu-microvm; do
			hw_cmd "$vmm" "$KERNEL" "$HW_INITRD_DISK" "$app" drive "$img"
			HW_CMD[disk.$vmm]="${cmd[*]}"
			hw_guest "disk.$vmm" $((HW_BOOT_T + 4 * HW_FIO_S + HW_DISK_MB / 10)) "${cmd[@]}"
		done
	done
	rm -f "$img"
}

# iperf3 between the guest and a server in a private namespace: guest ->
# host and host -> guest, 1 and 4 streams (bench/linux/bench_net.sh).
bench_hw_net()
{
	local r vmm app="console=ttyS0 quiet mvt.run=bench_net mvt.ip=10.0.3.2/24 mvt.server=10.0.3.1 mvt.t=$HW_NET_T"
	command -v iperf3 >/dev/null || { HW_NET_NOTE="iperf3 not installed"; return; }
	log "hardware KVM: iperf3, $HW_IO_RUNS rounds of 4 x $HW_NET_T s"
	bench_lan_ns mvt-benchhw-$$ 10.0.3.1 || { HW_NET_NOTE="could not build the test network"; return; }
	ip netns exec "$NETNS" iperf3 -s -B 10.0.3.1 >"$WORK/iperf3.log" 2>&1 &
	IPERF_PID=$!
	sleep 0.5
	for ((r = 0; r < HW_IO_RUNS; r++)); do
		for vmm in minivmm qemu-microvm; do
			hw_cmd "$vmm" "$KERNEL" "$HW_INITRD_NET" "$app" tap tap0
			HW_CMD[net.$vmm]="ip netns exec NS ${cmd[*]}"
			hw_guest "net.$vmm" $((HW_BOOT_T + 8 * HW_NET_T + 20)) ip netns exec "$NETNS" "${cmd[@]}"
		done
	done
	kill "$IPERF_PID" 2>/dev/null || true
	wait "$IPERF_PID" 2>/dev/null || true
	IPERF_PID=
	ip netns del "$NETNS"
	NETNS=
}

# Netboot of Linux with the Debian installer's sizes (14 MiB kernel,
# 40 MiB initrd: the Debian kernel and the boot initramfs padded with
# zeros, which the kernel skips) from dnsmasq in a private namespace:
# exec -> kernel entry (firmware mark 0x15), -> MVT-READY, -> exit; the
# firmware's TFTP rate for the initrd beside busybox tftp fetching the
# same file from the same server in a second namespace.
bench_hw_netboot()
{
	local t=$WORK/hwtftp r line ns2 size ms blk app="console=ttyS0 quiet mvt.run=bench_boot"
	command -v dnsmasq >/dev/null || { HW_NB_NOTE="dnsmasq not installed"; return; }
	mkdir -p "$t/pxelinux.cfg"
	cp "$KERNEL" "$t/vmlinuz"
	cp "$HW_INITRD" "$t/initrd.gz"
	[ "$(stat -c %s "$t/vmlinuz")" -ge $((HW_NB_KERNEL_MIB << 20)) ] ||
		truncate -s $((HW_NB_KERNEL_MIB << 20)) "$t/vmlinuz"
	[ "$(stat -c %s "$t/initrd.gz")" -ge $((HW_NB_INITRD_MIB << 20)) ] ||
		truncate -s $((HW_NB_INITRD_MIB << 20)) "$t/initrd.gz"
	HW_NB_SIZES="kernel $(stat -c %s "$t/vmlinuz") bytes, initrd $(stat -c %s "$t/initrd.gz") bytes"
	printf 'DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.gz\n  APPEND %s\n' "$app" \
		>"$t/pxelinux.cfg/default"
	log "hardware KVM: netboot of Linux ($HW_NB_SIZES), $HW_RUNS runs"
	bench_lan_ns mvt-benchnb-$$ 10.0.2.1 || { HW_NB_NOTE="could not build the test network"; return; }
	# dnsmasq drops root: the TFTP tree must be readable by anybody.
	chmod 755 "$WORK" "$t" "$t/pxelinux.cfg"
	chmod 644 "$t"/* "$t/pxelinux.cfg/default"
	ip netns exec "$NETNS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
		--interface=br0 --bind-interfaces --no-ping \
		--dhcp-range=10.0.2.10,10.0.2.50,1h --dhcp-leasefile="$WORK/hw-leases" \
		--enable-tftp --tftp-root="$t" --dhcp-boot=pxelinux.0 \
		>"$WORK/hw-dnsmasq.log" 2>&1 &
	DNSMASQ_PID=$!
	for r in $(seq 50); do
		grep -q "TFTP root" "$WORK/hw-dnsmasq.log" && break
		sleep 0.1
	done
	HW_NB_CMD="ip netns exec NS $MINIVMM -netboot -tap tap0 -m $HW_MEM -trace-boot"
	for ((r = 0; r < HW_RUNS; r++)); do
		line=$("$STAMP" -t $((HW_BOOT_T + 120)) -o "$WORK/hwnb.out" -p MVT-READY -- \
			ip netns exec "$NETNS" "$MINIVMM" -netboot -tap tap0 -m $HW_MEM -trace-boot \
			2>"$WORK/hwnb.err") || true
		if [ "$(field "$line" rc)" != 0 ] || [ "$(field "$line" pattern_us)" = -1 ]; then
			log "hardware netboot failed: $line"
			{ echo "netboot (hardware sizes): $line; console tail:"
			  tr -d '\r' <"$WORK/hwnb.out" | grep -v '^\[' | tail -n 8 | sed 's/^/    /'
			  tail -n 3 "$WORK/hwnb.err" | sed 's/^/    /'; } >>"$RES/failures"
			continue
		fi
		sed -n 's/^minivmm: trace *\([0-9.]*\) ms  guest marker 21$/\1/p' \
			"$WORK/hwnb.err" >>"$RES/hw.nb.kentry"
		awk -v v="$(field "$line" pattern_us)" 'BEGIN { print v / 1000 }' >>"$RES/hw.nb.init"
		awk -v v="$(field "$line" exit_us)" 'BEGIN { print v / 1000 }' >>"$RES/hw.nb.exit"
		# "TFTP: initrd.gz: N bytes in M ms (K KiB/s, blksize B window W, ...)"
		read -r size ms blk < <(tr -d '\r' <"$WORK/hwnb.out" |
			sed -n 's/^TFTP: initrd.gz: \([0-9]*\) bytes in \([0-9]*\) ms .*blksize \([0-9]*\) .*/\1 \2 \3/p' | head -n 1) || true
		if [ -n "$size" ] && [ "${ms:-0}" -gt 0 ]; then
			HW_NB_BLKSIZE=$blk
			awk -v s="$size" -v m="$ms" 'BEGIN { printf "%.3f\n", s / m / 1000 }' >>"$RES/hw.nb.tftp_mbs"
		fi
	done
	if [ -n "${HW_NB_BLKSIZE:-}" ]; then
		ns2=mvt-benchnbc-$$
		bench_lan_client "$ns2" 10.0.2.200
		sleep 0.3
		size=$(stat -c %s "$t/initrd.gz")
		# timed by bench_stamp (busybox date, in L1, has no %N)
		for ((r = 0; r < HW_RUNS; r++)); do
			line=$("$STAMP" -t 300 -- ip netns exec "$ns2" busybox tftp -g \
				-r initrd.gz -l /dev/null -b "$HW_NB_BLKSIZE" 10.0.2.1 2>/dev/null) || true
			[ "$(field "$line" rc)" = 0 ] || { echo "host-side tftp client: $line" >>"$RES/failures"; continue; }
			awk -v s="$size" -v us="$(field "$line" exit_us)" \
				'BEGIN { printf "%.3f\n", s / us }' >>"$RES/hw.nb.client_mbs"
		done
		ip netns del "$ns2"
		NETNS2=
	fi
	kill "$DNSMASQ_PID" 2>/dev/null || true
	wait "$DNSMASQ_PID" 2>/dev/null || true
	DNSMASQ_PID=
	ip netns del "$NETNS"
	NETNS=
	rm -rf "$t"
}

bench_hw()
{
	HW_NOTE=$(bench_hw_skip_reason)
	[ -z "$HW_NOTE" ] && [ $NO_HW -eq 1 ] && HW_NOTE="the run was started with --no-hw"
	if [ -n "$HW_NOTE" ]; then
		log "hardware-KVM-only benchmarks skipped: $HW_NOTE"
		return
	fi
	if ! bench_hw_kit; then
		HW_NOTE="the layer-3 test kit (tests/guest/test-kit.sh) could not be built"
		return
	fi
	if ! "$QEMU" --version >/dev/null 2>&1; then
		log "no $QEMU: hardware-KVM runs without QEMU"
		echo "no $QEMU here: no QEMU runs" >>"$RES/failures"
	fi
	bench_hw_linux_boot
	bench_hw_disk
	bench_hw_net
	bench_hw_netboot
}

# bench_hw_nested: run the hardware part in the nested harness' L1
# (tests/nested/run.sh, QEMU TCG with an emulated AMD SVM), for the
# harness' correctness only: build the kit here, hand it to L1
# (MVT_NESTED_EXTRA), run this script there with --kit, and take the
# document it prints back.
bench_hw_nested()
{
	local kit=$WORK/kit rc
	mkdir -p "$kit"
	bench_hw_kit || die "cannot build the hardware-KVM kit"
	cp "$HW_INITRD" "$kit/initrd.boot"
	cp "$HW_INITRD_NET" "$kit/initrd.net"
	cp "$HW_INITRD_DISK" "$kit/initrd.disk"
	if [ -n "$MICROVM_KERNEL" ]; then
		cp "$MICROVM_KERNEL" "$kit/microvm.bzImage"
	else
		echo "$MICROVM_NOTE" >"$kit/microvm.note"
	fi
	cp "$STAMP" "$kit/bench_stamp"
	cp "$0" "$kit/bench.sh"
	log "running the hardware part in the nested harness (timings are not performance figures)"
	local args=(--hw-only --kit /mvt-extra --no-install)
	[ $QUICK -eq 1 ] && args+=(--quick)
	log "(up to $NESTED_TIMEOUT s; the L1 console is printed only if it fails)"
	rc=0
	MVT_NESTED_QEMU=1 MVT_NESTED_EXTRA=$kit MVT_BENCH_REV=$(bench_rev) MINIVMM=$MINIVMM \
		"$top/tests/nested/run.sh" --quiet --timeout "$NESTED_TIMEOUT" -- \
		bash /mvt-extra/bench.sh "${args[@]}" >"$WORK/nested.out" 2>&1 || rc=$?
	sed -n '/^MVT-BENCH-DOC-BEGIN$/,/^MVT-BENCH-DOC-END$/p' "$WORK/nested.out" |
		sed '1d;$d' >"$WORK/nested.md"
	if [ ! -s "$WORK/nested.md" ]; then
		tail -n 60 "$WORK/nested.out" >&2
		die "the nested run (status $rc) printed no document"
	fi
	grep '^bench: ' "$WORK/nested.out" >&2 || true
	log "nested run status $rc"
	NESTED_DOC=$WORK/nested.md
}

# ------------------------------------------------------------- document

# stat_cells FILE BASE: "runs | min | median | max | ratio" (ratio to BASE).
stat_cells()
{
	local n mn md mx
	[ -s "$1" ] || { echo "0 | - | - | - | -"; return; }
	read -r n mn md mx < <(stats "$1")
	printf '%s | %.1f | %.1f | %.1f | %s' "$n" "$mn" "$md" "$mx" "$(ratio "$md" "$2")"
}

# bench_path CMD: CMD with the work folder and the source tree's path cut,
# so the document shows commands as run from the top of the tree.
bench_path()
{
	local c=${1//$WORK\//}
	echo "${c//$top\//}"
}

# dev_per DEV N NAME COLUMN SCALE: (median with N requests - median with 0)
# * SCALE / N of that column of the DEV (blk, net) results, two decimals.
dev_per()
{
	local c0 cn
	awk -v c="$4" '{ print $c }' "$RES/$1.$3.0" >"$WORK/b0"
	awk -v c="$4" '{ print $c }' "$RES/$1.$3.$2" >"$WORK/bN"
	c0=$(median "$WORK/b0")
	cn=$(median "$WORK/bN")
	awk -v a="$c0" -v b="$cn" -v n="$2" -v k="$5" \
		'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.2f", (b - a) * k / n }'
}

blk_per() { dev_per blk "$BLK_N" "$@"; }

# net_floor KEY [FIELD]: median of the device floor's FIELD (default
# per_frame_us) in the KEY (net, net-1cpu) rounds, or "-".
net_floor()
{
	local f=${2:-per_frame_us}
	[ -s "$RES/$1.floor" ] || { echo -; return; }
	sed -n "s/.*$f=\([0-9.]*\).*/\1/p" "$RES/$1.floor" >"$WORK/nf"
	awk -v x="$(median "$WORK/nf")" 'BEGIN { if (x ~ /^[0-9.]+$/) printf "%.2f\n", x; else print "-" }'
}

# net_floor_row KEY: the floor's row of the virtio-net table.
net_floor_row()
{
	local w fr
	[ -s "$RES/$1.floor" ] || return 0
	w=$(net_floor "$1" wakeups)
	fr=$(net_floor "$1" frames)
	echo "| floor (bench_netfloor: one wake-up + one TAP write per frame) | $(net_floor "$1") | $(awk -v w="$w" -v f="$fr" 'BEGIN { if (f > 0) printf "%.2f", w / f; else print "-" }') | | | |"
}

# dev_have DEV N NAME...: every NAME has results with 0 and N requests.
dev_have()
{
	local dev=$1 n=$2 name
	shift 2
	for name in "$@"; do
		[ -s "$RES/$dev.$name.$n" ] && [ -s "$RES/$dev.$name.0" ] || return 1
	done
}

# dev_rows DEV N MHZ: the device-cost table rows (I/O threads us, context
# switches, non-vCPU us, vCPU us, guest-observed us; all per request).
dev_rows()
{
	local dev=$1 n=$2 mhz=$3 name g tsc
	for name in minivmm qemu-microvm; do
		dev_have "$dev" "$n" "$name" || continue
		g=-
		if [ -s "$RES/$dev.$name.guest" ]; then
			sed -n 's/.* tsc=\([0-9]*\).*/\1/p' "$RES/$dev.$name.guest" >"$WORK/bt"
			tsc=$(median "$WORK/bt")
			[ -n "$tsc" ] && [ "$mhz" != 0 ] && g=$(awk -v t="$tsc" -v m="$mhz" -v n="$n" 'BEGIN { printf "%.1f", t / m / n }')
		fi
		echo "| $(label "$name") | $(dev_per "$dev" "$n" "$name" 1 1000) | $(dev_per "$dev" "$n" "$name" 2 1) | $(dev_per "$dev" "$n" "$name" 7 1000) | $(dev_per "$dev" "$n" "$name" 3 1000) | $g |"
	done
}

# net_tables MHZ: the virtio-net cost tables, default placement and one
# host CPU, with the floor and the target's ratios.
net_tables()
{
	local key title m q f
	for key in net net-1cpu; do
		case $key in
		net) title="Default placement (the scheduler's choice: the device thread wakes on the idle CPU)" ;;
		*) title="All threads of each VMM, and of the floor, on one host CPU (\`taskset -c 0\`)" ;;
		esac
		echo "$title:"
		echo
		echo "| VMM | I/O threads us/frame | context switches/frame | non-vCPU threads us/frame | vCPU thread us/frame | guest-observed us/frame |"
		echo "|---|---|---|---|---|---|"
		dev_rows "$key" "$NET_N" "$1"
		net_floor_row "$key"
		echo
		dev_have "$key" "$NET_N" minivmm qemu-microvm || continue
		m=$(dev_per "$key" "$NET_N" minivmm 1 1000)
		q=$(dev_per "$key" "$NET_N" qemu-microvm 1 1000)
		f=$(net_floor "$key")
		echo "Target (issue 8: minivmm's device threads <= 0.5x QEMU's I/O threads per"
		echo "frame): **$(ratio "$m" "$q")x** in this run; the floor is $(ratio "$f" "$q")x"
		echo "QEMU's, and minivmm is $(ratio "$m" "$f")x the floor."
		if awk -v r="$(ratio "$f" "$q")" 'BEGIN { exit !(r != "-" && r > 0.5) }'; then
			echo "The floor alone is above 0.5x QEMU here: one wake-up and one TAP"
			echo "write per frame cost more than half of what QEMU spends, so no"
			echo "user-space device that is woken once per frame meets the target in"
			echo "this placement on this host."
		fi
		echo
	done
}

# chart_label NAME: short bar label.
chart_label()
{
	case "$1" in
	qemu-microvm) echo "QEMU microvm" ;;
	qemu-microvm-tuned) echo "microvm tuned" ;;
	qemu-q35) echo "QEMU q35" ;;
	*) echo "$1" ;;
	esac
}

chart_bars()
{
	# chart_bars PNG TITLE YLABEL DATAFILE [log] (label min median max per
	# line); log: logarithmic y axis (q35 takes 50x longer than the rest)
	command -v gnuplot >/dev/null || return 0
	[ -s "$4" ] || return 0
	local scale="set yrange [0:*]"
	[ "${5:-}" = log ] && scale="set logscale y; set yrange [1:*]"
	gnuplot <<-EOF 2>/dev/null || log "gnuplot failed for $1"
	set terminal png size 900,420
	set output "$1"
	set title "$2"
	set ylabel "$3"
	set style fill solid 0.6 border -1
	set boxwidth 0.6
	$scale
	set grid ytics
	set xtics noenhanced
	unset key
	plot "$4" using 0:3:xtic(1) with boxes lc rgb "#4a7ebb", \
	     "" using 0:3:2:4 with yerrorbars lc rgb "black" pt 0, \
	     "" using 0:3:(sprintf("%.1f", \$3)) with labels offset 2.5,0.7
	EOF
}

bench_charts()
{
	local dir=$1 name f
	mkdir -p "$dir"
	: >"$WORK/c.first"
	: >"$WORK/c.exit"
	while IFS='|' read -r name _ _; do
		f=$RES/start.$name.first
		[ -s "$f" ] && echo "\"$(chart_label "$name")\" $(stats "$f" | cut -d' ' -f2-)" >>"$WORK/c.first"
		f=$RES/start.$name.exit
		[ -s "$f" ] && echo "\"$(chart_label "$name")\" $(stats "$f" | cut -d' ' -f2-)" >>"$WORK/c.exit"
	done < <(contenders)
	chart_bars "$dir/startup-first-byte.png" "exec -> first serial byte (median, min-max; log scale)" ms "$WORK/c.first" log
	chart_bars "$dir/startup-exit.png" "exec -> exit, guest powers off at once (median, min-max; log scale)" ms "$WORK/c.exit" log
	: >"$WORK/c.mem"
	for name in minivmm qemu-microvm qemu-q35; do
		f=$RES/mem.$name.overhead_kb
		[ -s "$f" ] && echo "\"$(chart_label "$name")\" $(stats "$f" | awk '{ printf "%.2f %.2f %.2f", $2 / 1024, $3 / 1024, $4 / 1024 }')" >>"$WORK/c.mem"
	done
	chart_bars "$dir/memory-overhead.png" "VMM memory overhead: RSS minus touched guest RAM, guest idle" MiB "$WORK/c.mem"
	: >"$WORK/c.rate"
	while IFS='|' read -r name _ _; do
		f=$RES/rate.$name
		[ -s "$f" ] || continue
		local rt
		rt=$(field "$(cat "$f")" rate)
		[ -n "$rt" ] && echo "\"$(chart_label "$name")\" $rt $rt $rt" >>"$WORK/c.rate"
	done < <(contenders)
	chart_bars "$dir/start-rate.png" "sequential start -> power-off cycles per second" "cycles/s" "$WORK/c.rate"
}

# bench_rev: the tree's git revision (MVT_BENCH_REV in the nested L1).
bench_rev()
{
	local rev
	[ -n "${MVT_BENCH_REV:-}" ] && { echo "$MVT_BENCH_REV"; return; }
	rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$top" diff --quiet HEAD -- . ":!docs" 2>/dev/null || rev="$rev (with uncommitted changes)"
	echo "$rev"
}

# hw_row LABEL FILE BASE: "| LABEL | runs | min | median | max | ratio |"
# (ratio: this median / BASE's median).
hw_row()
{
	local b
	b=$(median "$3" 2>/dev/null || echo -)
	[ -s "$3" ] || b=-
	echo "| $1 | $(stat_cells "$2" "$b") |"
}

# bench_doc_hw: the hardware-KVM section of the document.
bench_doc_hw()
{
	local kern vmm k f m ph d
	echo "## Hardware-KVM-only benchmarks"
	echo
	if [ -n "${MVT_NESTED:-}" ]; then
		echo "**Run in the nested harness** (tests/nested/run.sh: an L1 VM under QEMU"
		echo "TCG with an emulated AMD SVM, its KVM running the guests below).  These"
		echo "numbers only show that the benchmark runs end to end; **they are not"
		echo "performance figures** of minivmm or of QEMU."
		echo
	fi
	if [ -n "$HW_NOTE" ]; then
		echo "**Skipped on this host:** $HW_NOTE.  On a host with kvm_intel or kvm_amd"
		echo "(and vmx/svm), the script also measures, minivmm vs QEMU microvm"
		echo "(\`-accel kvm -cpu host\`), with the layer-3 Debian kernel and test"
		echo "initramfs and with a minimal \"microvm\" kernel (scripts/microvm-kernel.sh):"
		echo "Linux boot to init (\`MVT-READY\`) and to power-off; dd sequential MB/s and"
		echo "fio 4 KiB random-read IOPS on a virtio-blk disk; iperf3 guest <-> host, 1"
		echo "and 4 streams, to a server in a private namespace; netboot of Linux with"
		echo "the Debian installer's sizes (guest scripts in bench/linux/)."
		echo "Run only that part: \`sudo scripts/bench.sh --hw-only\` (docs/benchmarks-hw.md)."
		return
	fi
	echo "Guest: $HW_MEM MiB, one vCPU, the layer-3 test initramfs (busybox) with the"
	echo "guest scripts of bench/linux/; QEMU microvm with \`-accel kvm -cpu host\`,"
	echo "its default ACPI (virtio-mmio devices in the DSDT, as minivmm).  Ratio ="
	echo "this row's median / minivmm's median.  A row with 0 runs failed every"
	echo "time: see \"Failed runs\" at the end for the consoles' tails."
	echo
	echo "### Linux boot"
	echo
	echo "exec -> \`MVT-READY\` (printed by the initramfs' /init: the kernel reached"
	echo "userspace) and -> exit (the guest script prints its uptime, /init powers"
	echo "off at once), \`console=ttyS0 quiet\`, $HW_RUNS alternating rounds."
	echo
	echo "| kernel | VMM | runs | to init min ms | median | max | ratio | runs | to exit min ms | median | max | ratio |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	for kern in debian microvm; do
		for vmm in minivmm qemu-microvm; do
			case $kern in
			debian) k="Debian $(basename "$KERNEL") ($(stat -c %s "$KERNEL") bytes)" ;;
			microvm) k="microvm (not built)"
				[ -n "$MICROVM_KERNEL" ] && k="microvm ($(stat -c %s "$MICROVM_KERNEL") bytes)" ;;
			esac
			echo "| $k | $(label "$vmm") | $(stat_cells "$RES/hw.boot.$kern.$vmm.init" \
				"$(median "$RES/hw.boot.$kern.minivmm.init" 2>/dev/null)") | $(stat_cells "$RES/hw.boot.$kern.$vmm.exit" \
				"$(median "$RES/hw.boot.$kern.minivmm.exit" 2>/dev/null)") |"
		done
	done
	echo
	[ -n "$MICROVM_NOTE" ] && { echo "No microvm kernel: $MICROVM_NOTE"; echo; }
	echo "The microvm kernel: \`make tinyconfig\` of Debian's linux-source-6.1 plus"
	echo "bench/microvm-kernel.config (virtio-mmio/blk/net, 8250 console, ACPI,"
	echo "kvmclock built in; no modules, no PCI drivers), built by scripts/microvm-kernel.sh."
	echo "The initramfs' module loading fails on it (nothing to load), harmlessly."
	echo
	echo "### Disk (Debian kernel, virtio-blk)"
	echo
	echo "The guest (bench/linux/bench_disk.sh) writes then reads $HW_DISK_MB MiB of /dev/vda"
	echo "with busybox dd (1 MiB blocks, O_DIRECT, one request in flight; timed by"
	echo "/proc/uptime), then fio 4 KiB random reads (libaio, iodepth 32, $HW_FIO_S s).  The"
	echo "disk is a raw file on the host (QEMU: \`cache=writeback\`, its default)."
	echo "$HW_IO_RUNS rounds; higher is better."
	echo
	echo "| measure | VMM | runs | min | median | max | ratio |"
	echo "|---|---|---|---|---|---|---|"
	for m in dd.write_mbs dd.read_mbs fio.randread4k_iops; do
		case $m in
		dd.write_mbs) ph="dd sequential write, MB/s" ;;
		dd.read_mbs) ph="dd sequential read, MB/s" ;;
		fio.randread4k_iops) ph="fio 4 KiB random read, IOPS" ;;
		esac
		for vmm in minivmm qemu-microvm; do
			hw_row "$ph | $(label "$vmm")" "$RES/hw.disk.$vmm.$m" "$RES/hw.disk.minivmm.$m"
		done
	done
	echo
	echo "### Network: iperf3 (Debian kernel, virtio-net)"
	echo
	if [ -n "${HW_NET_NOTE:-}" ]; then
		echo "**Skipped:** $HW_NET_NOTE."
	else
		echo "The guest (bench/linux/bench_net.sh) runs \`iperf3 -c\` against \`iperf3 -s\`"
		echo "on the bridge of a private namespace (the guest's TAP on the same bridge;"
		echo "QEMU \`vhost=off\`, as minivmm has no vhost), $HW_NET_T s each: guest -> host,"
		echo "host -> guest (\`-R\`), 1 and 4 streams (\`-P 4\`); the receiver's Mbit/s."
		echo "$HW_IO_RUNS rounds; higher is better."
		echo
		echo "| measure | VMM | runs | min Mbit/s | median | max | ratio |"
		echo "|---|---|---|---|---|---|---|"
		for m in tx1 tx4 rx1 rx4; do
			case $m in
			tx*) d="guest -> host" ;;
			rx*) d="host -> guest" ;;
			esac
			ph="$d, ${m#??} stream$([ "${m#??}" = 1 ] || echo s)"
			for vmm in minivmm qemu-microvm; do
				hw_row "$ph | $(label "$vmm")" "$RES/hw.net.$vmm.iperf3.$m" "$RES/hw.net.minivmm.iperf3.$m"
			done
		done
	fi
	echo
	echo "### Netboot of Linux with the Debian installer's sizes"
	echo
	if [ -n "${HW_NB_NOTE:-}" ]; then
		echo "**Skipped:** $HW_NB_NOTE."
	else
		echo "\`minivmm -netboot\`: DHCP + TFTP from dnsmasq in a private namespace,"
		echo "PXELINUX config with the Debian kernel and the boot initramfs padded with"
		echo "zeros to the installer's sizes (${HW_NB_SIZES:-not run}; the"
		echo "installer's are a 14 MiB kernel and a 40 MiB initrd), guest as in \"Linux boot\"."
		echo "Kernel entry: the firmware's mark 0x15 on minivmm's \`-trace-boot\` clock"
		echo "(ms since the process started).  TFTP: the firmware's own \`TFTP: initrd.gz:"
		echo "... KiB/s\` line, beside busybox \`tftp -g -b ${HW_NB_BLKSIZE:-?}\` fetching the same"
		echo "file from the same dnsmasq in a second namespace on the same bridge."
		echo
		echo "| measure | runs | min | median | max | target |"
		echo "|---|---|---|---|---|---|"
		for f in kentry init exit tftp_mbs client_mbs; do
			case $f in
			kentry) ph="start -> kernel entry, ms (end to end: DHCP, TFTP of both files)"; d="<= 1500" ;;
			init) ph="exec -> \`MVT-READY\`, ms"; d="" ;;
			exit) ph="exec -> exit, ms"; d="" ;;
			tftp_mbs) ph="firmware TFTP rate (initrd), MB/s"; d="" ;;
			client_mbs) ph="host-side busybox tftp, same file and server, MB/s"; d="" ;;
			esac
			if [ -s "$RES/hw.nb.$f" ]; then
				read -r n mn md mx < <(stats "$RES/hw.nb.$f")
				printf '| %s | %s | %.1f | %.1f | %.1f | %s |\n' "$ph" "$n" "$mn" "$md" "$mx" "$d"
			else
				echo "| $ph | 0 | - | - | - | $d |"
			fi
		done
		echo
		echo "Firmware / host-side client TFTP rate: **$(ratio "$(median "$RES/hw.nb.tftp_mbs" 2>/dev/null)" \
			"$(median "$RES/hw.nb.client_mbs" 2>/dev/null)")** (target >= 0.60)."
	fi
	echo
	echo "Commands (NS: the run's private namespace; files without a folder are"
	echo "in the run's work folder):"
	echo
	echo '```'
	for k in boot.debian.minivmm boot.debian.qemu-microvm boot.microvm.minivmm \
		 boot.microvm.qemu-microvm disk.minivmm disk.qemu-microvm net.minivmm net.qemu-microvm; do
		[ -n "${HW_CMD[$k]:-}" ] && echo "$k: $(bench_path "${HW_CMD[$k]}")"
	done
	[ -n "${HW_NB_CMD:-}" ] && echo "netboot: $(bench_path "$HW_NB_CMD")"
	echo '```'
}

# bench_doc_hw_only OUT: the document of a --hw-only run.
bench_doc_hw_only()
{
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	{
	echo "# Benchmarks: minivmm side by side with QEMU, hardware-KVM part"
	echo
	echo "Generated by \`scripts/bench.sh --hw-only$([ $QUICK -eq 1 ] && echo " --quick")\` on $(date -u '+%Y-%m-%d %H:%M UTC'); every number below"
	echo "comes from that run (how to run it: docs/benchmarks-hw.md)."
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| CPU | $cpu, $(nproc) CPUs |"
	echo "| kernel | $(uname -r)$([ -n "${MVT_NESTED:-}" ] && echo ' (the nested harness L1)') |"
	if [ -n "${MVT_NESTED:-}" ]; then
		echo "| KVM | $(kvm_type) in L1, on an SVM that QEMU TCG emulates (not hardware speed) |"
	else
		echo "| KVM | $(kvm_type)$(hw_kvm && echo ' (hardware)') |"
	fi
	echo "| minivmm | git $(bench_rev) |"
	echo "| QEMU | $("$QEMU" --version 2>/dev/null | head -n 1 || echo not installed) |"
	echo "| load average | $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end |"
	echo
	bench_doc_hw
	if [ -s "$RES/failures" ]; then
		echo
		echo "## Failed runs (left out of the statistics)"
		echo
		echo '```'
		cat "$RES/failures"
		echo '```'
	fi
	} >"$1"
}

bench_doc()
{
	local out=$1 charts_rel=$2 name runs cmd base_first base_exit f
	local rev cpu
	rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$top" diff --quiet HEAD -- . ":!docs" 2>/dev/null || rev="$rev (with uncommitted changes)"
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	base_first=$(median "$RES/start.minivmm.first" 2>/dev/null || echo -)
	base_exit=$(median "$RES/start.minivmm.exit" 2>/dev/null || echo -)
	{
	echo "# Benchmarks: minivmm side by side with QEMU"
	echo
	echo "Generated by \`scripts/bench.sh$([ $QUICK -eq 1 ] && echo " --quick")\` on $(date -u '+%Y-%m-%d %H:%M UTC'); every number below"
	echo "comes from that run.  Run it again (as root) to measure your machine."
	echo
	echo "How to run: \`sudo scripts/bench.sh\` (about 3 minutes; \`--quick\`: one run of"
	echo "each, about 30 s, writes to a temporary file; \`--out FILE\`, \`--charts DIR\`,"
	echo "\`--no-install\`).  It installs what it uses with apt-get: build-essential, cmake,"
	echo "qemu-system-x86, gnuplot-nox, and for netboot dnsmasq-base, iproute2 and busybox-static; for the"
	echo "hardware-KVM-only part (\`--hw-only\` runs only that, docs/benchmarks-hw.md) cpio, kmod,"
	echo "xz-utils, iperf3, fio, and linux-source-6.1, flex, bison, bc, libelf-dev, libssl-dev, lz4"
	echo "(the microvm kernel)."
	echo
	echo "## Host and versions"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| CPU | $cpu, $(nproc) CPUs |"
	echo "| kernel | $(uname -r) |"
	echo "| KVM | $(kvm_type)$(hw_kvm && echo ' (hardware)' || echo ' (no hardware virtualisation: guest code is emulated, ~3-4 M instructions/s)') |"
	echo "| minivmm | git $rev, $(basename "$build")/minivmm ($(${CC:-cc} --version | head -n 1)) |"
	echo "| QEMU | ${QEMU_VERSION:-not installed}; $QEMU_NOTE |"
	echo "| load average | $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (a busy host widens the spread) |"
	echo
	echo "## Summary (medians; ratio = QEMU microvm / minivmm)"
	echo
	echo "| measure | floor | minivmm | QEMU microvm | ratio |"
	echo "|---|---|---|---|---|"
	local qf qe qm qr mf me mm mr fr
	mf=$(num "$(median "$RES/start.minivmm.first" 2>/dev/null)")
	me=$(num "$(median "$RES/start.minivmm.exit" 2>/dev/null)")
	qf=$(num "$(median "$RES/start.qemu-microvm.first" 2>/dev/null)")
	qe=$(num "$(median "$RES/start.qemu-microvm.exit" 2>/dev/null)")
	mm=$(median "$RES/mem.minivmm.overhead_kb" 2>/dev/null || echo -)
	qm=$(median "$RES/mem.qemu-microvm.overhead_kb" 2>/dev/null || echo -)
	mr=$(num "$(field "$(cat "$RES/rate.minivmm" 2>/dev/null)" rate)")
	qr=$(num "$(field "$(cat "$RES/rate.qemu-microvm" 2>/dev/null)" rate)")
	fr=$(num "$(field "$(cat "$RES/rate.floor" 2>/dev/null)" rate)")
	echo "| exec -> first serial byte, ms | $(num "$(median "$RES/start.floor.first" 2>/dev/null)") | $mf | $qf | $(ratio "$qf" "$mf") |"
	echo "| exec -> guest's \`BENCH up\` (after its start-up code), ms | | $(num "$(median "$RES/start.minivmm.banner" 2>/dev/null)") | $(num "$(median "$RES/start.qemu-microvm.banner" 2>/dev/null)") | $(ratio "$(median "$RES/start.qemu-microvm.banner" 2>/dev/null)" "$(median "$RES/start.minivmm.banner" 2>/dev/null)") |"
	echo "| exec -> exit (power-off at once), ms | $(num "$(median "$RES/start.floor.exit" 2>/dev/null)") | $me | $qe | $(ratio "$qe" "$me") |"
	echo "| memory overhead, KiB | | $mm | $qm | $(ratio "$qm" "$mm") |"
	echo "| start -> power-off cycles/s | $fr | $mr | $qr | $(ratio "$qr" "$mr") |"
	echo "| binary, stripped, bytes | $SIZE_FLOOR | $SIZE_MINIVMM | $SIZE_QEMU (+ $LIBS_QEMU libraries) | $(ratio "$SIZE_QEMU" "$SIZE_MINIVMM") |"
	if [ -s "$RES/blk.minivmm.$BLK_N" ] && [ -s "$RES/blk.qemu-microvm.$BLK_N" ] &&
	   [ -s "$RES/blk.minivmm.0" ] && [ -s "$RES/blk.qemu-microvm.0" ]; then
		local bm bq
		bm=$(blk_per minivmm 7 1000)
		bq=$(blk_per qemu-microvm 7 1000)
		echo "| virtio-blk: host CPU outside the vCPU per 4 KiB read, us | | $bm | $bq | $(ratio "$bq" "$bm") |"
	fi
	local key where
	for key in net net-1cpu; do
		dev_have "$key" "$NET_N" minivmm qemu-microvm || continue
		local nm nq
		nm=$(dev_per "$key" "$NET_N" minivmm 7 1000)
		nq=$(dev_per "$key" "$NET_N" qemu-microvm 7 1000)
		where=
		[ "$key" = net-1cpu ] && where=", all threads on one host CPU"
		echo "| virtio-net: host CPU outside the vCPU per frame$where, us | $(net_floor "$key") | $nm | $nq | $(ratio "$nq" "$nm") |"
	done
	echo
	local ff
	ff=$(ratio "$(median "$RES/start.minivmm.first" 2>/dev/null)" "$(median "$RES/start.floor.first" 2>/dev/null)")
	echo "Start-up target (issue: first output within 1.25x of the floor): minivmm's"
	echo "median first byte is **${ff}x** the floor's in this run."
	echo
	echo "Method: every VMM boots the same guest, bench/guest/benchguest.c with the"
	echo "test-guest library (minivmm: \`benchguest.bzImage\`, Linux 64-bit boot"
	echo "protocol; QEMU: \`benchguest.elf\`, PVH entry).  Its very first instruction,"
	echo "at either entry, writes \`!\` to COM1 (built with GUEST_ENTRY_BYTE, see"
	echo "tests/guest/lib/guest_head.S), so the first byte times the VMM and its"
	echo "firmware, as the floor's does; then the guest runs its start-up code (page"
	echo "tables, .bss, serial set-up), prints \`BENCH up\` on COM1"
	echo "and powers off through the ACPI FADT (QEMU microvm: its default \`acpi=on\`,"
	echo "hardware-reduced sleep register; q35: PM1a_CNT).  With \`-M microvm,acpi=off\`"
	echo "there is no FADT: the guest reports it and triple-faults, which QEMU's"
	echo "\`-no-reboot\` also turns into exit status 0, so that is not used as a"
	echo "power-off (a guest written for it could use QEMU's \`isa-debug-exit\` device"
	echo "instead; not used here).  Times are taken from"
	echo "outside by bench/stamp.c: CLOCK_MONOTONIC just before fork+exec, at the"
	echo "first byte read from the VMM's stdout pipe and when the process is reaped."
	echo "Runs alternate between the VMMs (round-robin, rotated each round);"
	echo "ratios are medians divided by minivmm's median.  The floor"
	echo "(bench/floor.c) is the least a VMM must do on this host: /dev/kvm, VM,"
	echo "irqchip, PIT, a 64 KiB slot, one vCPU in long mode running 7 instructions"
	echo "(one byte to 0x3f8, one to the ACPI sleep port)."
	echo
	echo "## a) Start-up"
	echo
	echo "Guest powers off at once (\`bench.action=poweroff\`, the default), -m $RAM_MIB."
	echo
	echo "| VMM | runs | first byte min ms | median | max | ratio | runs | exit min ms | median | max | ratio |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	while IFS='|' read -r name runs cmd; do
		echo "| $(label "$name") | $(stat_cells "$RES/start.$name.first" "$base_first") | $(stat_cells "$RES/start.$name.exit" "$base_exit") |"
	done < <(contenders)
	echo
	local base_banner
	base_banner=$(median "$RES/start.minivmm.banner" 2>/dev/null || echo -)
	echo "exec -> the guest's \`BENCH up\` line (the same runs; the floor has no such line):"
	echo
	echo "| VMM | runs | min ms | median | max | ratio |"
	echo "|---|---|---|---|---|---|"
	while IFS='|' read -r name runs cmd; do
		[ -s "$RES/start.$name.banner" ] || continue
		echo "| $(label "$name") | $(stat_cells "$RES/start.$name.banner" "$base_banner") |"
	done < <(contenders)
	echo
	[ -f "$charts_abs/startup-exit.png" ] && {
		echo "![exec to first byte]($charts_rel/startup-first-byte.png)"
		echo "![exec to exit]($charts_rel/startup-exit.png)"
		echo; }
	echo "Commands (each run as \`bench_stamp -- COMMAND\`):"
	echo
	echo '```'
	while IFS='|' read -r name runs cmd; do
		echo "$(label "$name"): $(bench_path "$cmd")"
	done < <(contenders)
	echo '```'
	echo
	echo "Where the time goes, from the VMMs' own clocks (ms since the process"
	echo "started; minivmm \`-trace-boot\`, floor \`-v\`; same rounds, $RUNS runs):"
	echo
	echo "| phase | runs | min | median | max |"
	echo "|---|---|---|---|---|"
	for f in KVM_ready images_loaded first_KVM_RUN guest_marker_1 first_serial_byte guest_power-off exit cpu; do
		[ -s "$RES/phase.minivmm.$f" ] || continue
		read -r n mn md mx < <(stats "$RES/phase.minivmm.$f")
		case $f in
		guest_marker_1) ph="guest entry (marker 1 on port 0x510)" ;;
		cpu) ph="VMM CPU time, user + system (not a moment)" ;;
		first_KVM_RUN) ph="first KVM_RUN" ;;
		*) ph=${f//_/ } ;;
		esac
		printf '| minivmm: %s | %s | %.2f | %.2f | %.2f |\n' "$ph" "$n" "$mn" "$md" "$mx"
	done
	for f in VM_created irqchip_PIT_memory vCPU_in_long_mode first_serial_byte power-off; do
		[ -s "$RES/phase.floor.$f" ] || continue
		read -r n mn md mx < <(stats "$RES/phase.floor.$f")
		printf '| floor: %s | %s | %.2f | %.2f | %.2f |\n' "${f//_/ }" "$n" "$mn" "$md" "$mx"
	done
	echo
	local a b c d
	a=$(num "$(median "$RES/phase.minivmm.first_KVM_RUN" 2>/dev/null)")
	b=$(num "$(median "$RES/phase.floor.vCPU_in_long_mode" 2>/dev/null)")
	c=$(awk -v x="$(median "$RES/start.minivmm.banner" 2>/dev/null)" \
		-v y="$(median "$RES/start.minivmm.first" 2>/dev/null)" \
		'BEGIN { if (x != "" && y != "") printf "%.1f", x - y; else print "-" }')
	d=$(awk -v x="$(median "$RES/start.floor.exit" 2>/dev/null)" \
		-v y="$(median "$RES/start.floor.first" 2>/dev/null)" \
		'BEGIN { if (x != "" && y != "") printf "%.1f", x - y; else print "-" }')
	echo "Reading the phases: minivmm is ready to run its vCPU (first KVM_RUN) at"
	echo "$a ms, the floor at $b ms (most of both is the VM's first"
	echo "KVM_SET_USER_MEMORY_REGION, 4-6 ms here by \`strace -T\`, whatever the slot"
	echo "size).  From the entry byte to \`BENCH up\` the guest's own start-up code runs"
	echo "(page tables for 4 GiB, .bss, serial set-up): $c ms here, at this host's"
	echo "emulated speed; QEMU runs the same"
	echo "code, plus its firmware (qboot for microvm, SeaBIOS for q35) in emulated"
	echo "real mode.  Seen from outside, the floor exits $d ms after its first byte"
	echo "although it writes the power-off port right after it: tearing the VM"
	echo "down in the kernel is part of every VMM's exit time."
	echo
	echo "## b) Memory overhead"
	echo
	echo "Guest idles (\`bench.action=halt\`), -m $RAM_MIB; 300 ms after its \`GUEST halt\` line,"
	echo "bench_stamp reads /proc/PID/smaps: overhead = total Rss minus the Rss of the"
	echo "guest RAM mapping (the anonymous mapping of $RAM_MIB MiB) = what the VMM"
	echo "itself keeps resident.  Shared libraries count fully in Rss (Pss column:"
	echo "proportional)."
	echo
	echo "| VMM | runs | overhead min KiB | median | max | ratio | total Rss KiB (median) | guest RAM touched KiB | Pss KiB |"
	echo "|---|---|---|---|---|---|---|---|---|"
	local mb
	mb=$(median "$RES/mem.minivmm.overhead_kb" 2>/dev/null || echo -)
	for name in minivmm qemu-microvm qemu-q35; do
		[ -s "$RES/mem.$name.overhead_kb" ] || continue
		read -r n mn md mx < <(stats "$RES/mem.$name.overhead_kb")
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$name")" "$n" "$mn" "$md" "$mx" \
			"$(ratio "$md" "$mb")" "$(median "$RES/mem.$name.rss_kb")" \
			"$(median "$RES/mem.$name.guest_kb")" "$(median "$RES/mem.$name.pss_kb")"
	done
	echo
	[ -f "$charts_abs/memory-overhead.png" ] && { echo "![memory overhead]($charts_rel/memory-overhead.png)"; echo; }
	echo "Command: \`bench_stamp -m 'GUEST halt' -r $RAM_MIB -s 300 -- COMMAND -append bench.action=halt\`"
	echo "(minivmm: \`$(bench_path "$MEM_CMD_MINIVMM")\`; QEMU: the start-up commands"
	echo "with \`-append bench.action=halt\`)."
	echo
	echo "## c) Start rate"
	echo
	echo "Sequential start -> power-off cycles, $RATE_S s per VMM in $RATE_SLICES slices that"
	echo "alternate between the VMMs (\`bench_stamp -L SECONDS -- COMMAND\`, the start-up"
	echo "commands); rate = all cycles / all seconds.  q35 is left out: one cycle takes"
	echo "seconds (table a)."
	echo
	echo "| VMM | cycles | seconds | cycles/s | ratio | failed |"
	echo "|---|---|---|---|---|---|"
	local rb line
	rb=$(field "$(cat "$RES/rate.minivmm" 2>/dev/null)" rate)
	while IFS='|' read -r name runs cmd; do
		[ -s "$RES/rate.$name" ] || continue
		line=$(cat "$RES/rate.$name")
		echo "| $(label "$name") | $(field "$line" cycles) | $(field "$line" seconds) | $(field "$line" rate) | $(ratio "$(field "$line" rate)" "$rb") | $(field "$line" failed) |"
	done < <(contenders)
	echo
	[ -f "$charts_abs/start-rate.png" ] && { echo "![start rate]($charts_rel/start-rate.png)"; echo; }
	echo "## d) Binary size"
	echo
	echo "| binary | bytes | shared libraries |"
	echo "|---|---|---|"
	echo "| minivmm, stripped (firmware embedded: $FIRMWARE_IN) | $SIZE_MINIVMM | $LIBS_MINIVMM |"
	echo "| minivmm as built (RelWithDebInfo, with symbols) | $SIZE_MINIVMM_RAW | |"
	echo "| floor, stripped | $SIZE_FLOOR | |"
	echo "| $QEMU (Debian, stripped) | $SIZE_QEMU | $LIBS_QEMU ($LIBSIZE_QEMU bytes) |"
	echo "| QEMU microvm firmware, bios-microvm.bin (loaded at start) | $SIZE_QEMU_FW | |"
	echo
	echo "## e) Device cost: virtio-blk"
	echo
	echo "The guest reads \`bench.n\` 4 KiB blocks one at a time (polled, one request"
	echo "in flight, sequential sectors of a 64 MiB raw file in the page cache) and"
	echo "halts; bench_stamp then reads every thread's CPU time"
	echo "(/proc/PID/task/*/sched, se.sum_exec_runtime).  Cost per request ="
	echo "(CPU with N=$BLK_N minus CPU with N=0) / N, medians of $BLK_RUNS runs each."
	echo "I/O threads: minivmm's \`virtio-blk*\` thread; QEMU"
	echo "(microvm, virtio-mmio modern, \`iothread=io0\`, \`aio=threads\`) \`IO io0\` + \`worker\` threads."
	echo "Non-vCPU = every thread but the vCPUs (includes the main loop)."
	echo
	echo "| VMM | I/O threads us/request | context switches/request | non-vCPU threads us/request | vCPU thread us/request | guest-observed us/request |"
	echo "|---|---|---|---|---|---|"
	local mhz
	mhz=$(tsc_mhz)
	dev_rows blk "$BLK_N" "$mhz"
	echo
	echo "Guest-observed time is the guest's rdtsc around its loop at the host TSC"
	echo "rate ($mhz MHz); on this host it is dominated by the emulated guest code."
	echo "Commands:"
	echo
	echo '```'
	[ -n "${DEV_CMD[blk.minivmm]:-}" ] && echo "minivmm: $(bench_path "${DEV_CMD[blk.minivmm]}")"
	[ -n "${DEV_CMD[blk.qemu-microvm]:-}" ] && echo "QEMU: $(bench_path "${DEV_CMD[blk.qemu-microvm]}")"
	echo '```'
	echo
	echo "## f) Device cost: virtio-net"
	echo
	if [ -n "$NET_NOTE" ]; then
		echo "**Skipped:** $NET_NOTE."
	else
		echo "The guest sends \`bench.n\` Ethernet frames of 64 payload bytes (broadcast,"
		echo "ethertype 0x88B5, polled TX through the firmware's virtio-net driver, one"
		echo "descriptor per frame, up to 8 in flight) and halts once the device has"
		echo "returned them all.  The TAP sits on a bridge in a private network"
		echo "namespace, with a veth to a second namespace: every frame reaches that"
		echo "peer, which drops it; nothing answers.  Cost per frame = (CPU with"
		echo "N=$NET_N minus CPU with N=0) / N, medians of $NET_RUNS runs each, read as for"
		echo "virtio-blk.  I/O threads: minivmm's NIC thread (\`net-tap0\`); QEMU's"
		echo "virtio-net has no iothread (TX runs in the main loop; \`vhost=off\`, to"
		echo "compare user-space device models), so its I/O threads are all its"
		echo "non-vCPU threads."
		echo
		echo "The floor, \`bench_netfloor\` (bench/netfloor.c), is the least a"
		echo "user-space device thread does per frame without any VMM: it sleeps in"
		echo "epoll_wait on an eventfd that a busy \"guest\" thread signals once per frame,"
		echo "at the pace of minivmm's guest in the same round, and writes the same"
		echo "frame to its own TAP on the same bridge (one writev)."
		echo
		net_tables "$mhz"
		echo "Commands:"
		echo
		echo '```'
		local k
		for k in net net-1cpu; do
			[ -n "${DEV_CMD[$k.minivmm]:-}" ] && echo "minivmm: $(bench_path "${DEV_CMD[$k.minivmm]}")"
			[ -n "${DEV_CMD[$k.qemu-microvm]:-}" ] && echo "QEMU: $(bench_path "${DEV_CMD[$k.qemu-microvm]}")"
			[ -n "${DEV_CMD[$k.floor]:-}" ] && echo "floor: $(bench_path "${DEV_CMD[$k.floor]}")"
		done
		echo '```'
	fi
	echo
	echo "## Netboot"
	echo
	if [ -s "$RES/netboot.exit" ]; then
		echo "\`minivmm -netboot\` of the benchmark guest: DHCP + TFTP from dnsmasq in a"
		echo "private network namespace (PXELINUX config \`pxelinux.cfg/default\`, kernel"
		echo "benchguest.bzImage, 3 KB), guest powers off at once."
		echo
		echo "| measure | runs | min ms | median | max |"
		echo "|---|---|---|---|---|"
		for f in first kentry guest exit; do
			[ -s "$RES/netboot.$f" ] || continue
			read -r n mn md mx < <(stats "$RES/netboot.$f")
			case $f in
			first) ph="exec -> first serial byte (firmware)" ;;
			kentry) ph="start -> kernel entry (firmware mark 0x15, \`-trace-boot\`)" ;;
			guest) ph="exec -> guest's \`BENCH up\`" ;;
			exit) ph="exec -> exit" ;;
			esac
			printf '| %s | %s | %.1f | %.1f | %.1f |\n' "$ph" "$n" "$mn" "$md" "$mx"
		done
		echo
		echo "Command: \`$(bench_path "$NETBOOT_CMD") -trace-boot\`"
		if [ -s "$RES/netboot.exits_per_block" ]; then
			echo
			echo "TFTP, with a ${NETBOOT_MIB} MiB random initrd added (\`INITRD big.img\`), runs with"
			echo "and without it alternating, \`-stats\`; blksize ${NETBOOT_BLKSIZE} as negotiated with"
			echo "dnsmasq (which has no windowsize).  VM exits per block = (vcpu0 exits with"
			echo "the initrd - without) / the initrd's blocks, exits as KVM counts them"
			echo "(\`kvm_exits\`: in-kernel ones such as ioeventfd kicks too); the firmware's rate is its own"
			echo "\`TFTP: big.img: ... KiB/s\` line; the practical limit is busybox \`tftp -g -b"
			echo "${NETBOOT_BLKSIZE}\` fetching the same file from the same dnsmasq, in a second namespace"
			echo "on the same bridge."
			echo
			echo "| measure | runs | min | median | max |"
			echo "|---|---|---|---|---|"
			for f in exits_per_block tftp_mbs client_mbs; do
				[ -s "$RES/netboot.$f" ] || continue
				read -r n mn md mx < <(stats "$RES/netboot.$f")
				case $f in
				exits_per_block) ph="VM exits per TFTP block (target here: <= 2)" ;;
				tftp_mbs) ph="firmware TFTP rate, MB/s (guest code emulated here)" ;;
				client_mbs) ph="host-side busybox tftp, same server, MB/s" ;;
				esac
				printf '| %s | %s | %.2f | %.2f | %.2f |\n' "$ph" "$n" "$mn" "$md" "$mx"
			done
			echo
			echo "Firmware / host-side client: $(ratio "$(median "$RES/netboot.tftp_mbs")" "$(median "$RES/netboot.client_mbs" 2>/dev/null)") of the practical limit here"
			echo "(hardware-KVM target: >= 0.60; this host emulates the guest's code)."
		fi
	else
		echo "**Pending** — no number yet: $NETBOOT_NOTE."
		echo "scripts/bench.sh fills this section by itself once \`minivmm -netboot\` boots"
		echo "the benchmark guest (dnsmasq DHCP + TFTP in a private namespace, see"
		echo "bench_netboot in the script)."
	fi
	echo
	bench_doc_hw
	if [ -s "$RES/failures" ]; then
		echo
		echo "## Failed runs (left out of the statistics)"
		echo
		echo '```'
		cat "$RES/failures"
		echo '```'
	fi
	} >"$out"
}

# ------------------------------------------------------------------ main

[ "$(id -u)" -eq 0 ] || die "run as root (installs packages, opens /dev/kvm, makes namespaces)"
[ -e /dev/kvm ] || die "no /dev/kvm"
[ $INSTALL -eq 1 ] && bench_install
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$KIT" ]; then
	# inside the nested harness' L1: nothing to build, document on stdout
	[ -n "${MINIVMM:-}" ] || die "--kit: MINIVMM not set"
	STAMP=$KIT/bench_stamp
	bench_hw
	bench_doc_hw_only "$WORK/benchmarks.md"
	echo MVT-BENCH-DOC-BEGIN
	cat "$WORK/benchmarks.md"
	echo MVT-BENCH-DOC-END
	exit 0
fi
bench_build
if [ $NESTED -eq 1 ]; then
	bench_hw_nested
	[ -n "$OUT" ] && cp "$NESTED_DOC" "$OUT"
	cat "$NESTED_DOC"
	exit 0
fi
if [ $HW_ONLY -eq 1 ]; then
	bench_hw
	OUT=${OUT:-$WORK/benchmarks-hw.md}
	bench_doc_hw_only "$OUT"
	cat "$OUT"
	exit 0
fi
qemu_probe
log "KVM: $(kvm_type); $QEMU_NOTE"
t_start=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
bench_startup
bench_memory
bench_rate
bench_size
bench_blk
bench_net
bench_netboot
bench_hw
if [ -z "$OUT" ]; then
	if [ $QUICK -eq 1 ]; then
		OUT=$WORK/benchmarks.md
	else
		OUT=$top/docs/benchmarks.md
	fi
fi
if [ -z "$CHARTS" ]; then
	CHARTS=$(dirname "$OUT")/charts
fi
mkdir -p "$(dirname "$OUT")"
charts_abs=$(mkdir -p "$CHARTS" && cd "$CHARTS" && pwd)
bench_charts "$charts_abs"
bench_doc "$OUT" "$(realpath --relative-to="$(dirname "$(realpath "$OUT")")" "$charts_abs")"
log "done in $(( $(date +%s) - t_start )) s: $OUT"
[ $QUICK -eq 1 ] && cat "$OUT"
exit 0
