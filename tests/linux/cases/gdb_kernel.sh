#!/bin/bash
# SPDX-License-Identifier: MIT
# Debian's kernel under Debian's gdb, as a kernel developer starts it:
# minivmm -s -S (no vCPU runs until gdb says so), gdb `target remote :1234`,
# `hbreak *start_kernel`, continue: gdb stops there.  The address: Debian's
# linux-image package ships a placeholder System.map (the real one is in
# the -dbg package, 1 GB), so a first boot of the same kernel with nokaslr
# prints start_kernel, _stext and _etext from /proc/kallsyms.  Then, with both vCPUs up and the
# guest idle, Ctrl-C (SIGINT to gdb): every vCPU stops, `info threads`
# lists "vCPU 0" and "vCPU 1", and each one's RIP is inside the kernel's
# text.  `continue` lets the guest finish: it powers off, gdb sees the
# program exit, minivmm exits 0.
# Hardware breakpoints need a KVM that intercepts #DB for the host.  The
# nested harness' L1 (AMD SVM emulated by QEMU TCG) may not fire them: there
# (MVT_NESTED set) a missed start_kernel breakpoint is reported, not failed,
# and the run goes on to the Ctrl-C part; on a hardware KVM it fails.
. "$(dirname "$0")/../lib.sh"
command -v gdb >/dev/null || mvt_fail "gdb missing (scripts/install-deps.sh: gdb-minimal)"
# hex16 0xADDR: 16 lower-case hex digits (bash arithmetic is signed)
hex16() { local h=${1#0x}; h=${h,,}; printf '%s%s' "${ZEROS:${#h}}" "$h"; }
ZEROS=0000000000000000
syms=$WORKDIR/syms.log
MVT_LOG=$syms MVT_APPEND="nokaslr mvt.syms=1" mvt_boot gdb_idle
rc=$?
[ $rc -eq 0 ] || { mvt_show "$syms"; mvt_fail "symbol boot: exit code $rc"; }
start_kernel=$(mvt_fact "$syms" sym_start_kernel)
stext=$(mvt_fact "$syms" sym__stext)
etext=$(mvt_fact "$syms" sym__etext)
for a in "$start_kernel" "$stext" "$etext"; do
	[[ $a =~ ^0xffffffff[0-9a-f]{8}$ ]] || { mvt_show "$syms"; mvt_fail "no kernel symbol addresses from /proc/kallsyms"; }
done
echo "start_kernel=$start_kernel _stext=$stext _etext=$etext (nokaslr)"

log=$WORKDIR/gdb_kernel.log
: >"$log"
timeout -k 5 600 "$MINIVMM" -kernel "$KERNEL" -initrd "$INITRD" -m 256 -smp 2 \
	-append "console=ttyS0 quiet nokaslr panic=-1 mvt.run=gdb_idle mvt.idle=40" \
	-s -S </dev/null >"$log" 2>&1 &
vmm=$!
trap 'kill $vmm 2>/dev/null; [ -n "${gdbp:-}" ] && kill $gdbp 2>/dev/null' EXIT
sleep 2
grep -q MVT-READY "$log" && mvt_fail "-S: the guest ran before gdb said so"

cmds=$WORKDIR/cmds.gdb
cat >"$cmds" <<GDB
set pagination off
set confirm off
target remote :1234
hbreak *$start_kernel
echo CONTINUE1\n
continue
printf "STOP1 rip=%#lx\n", \$rip
delete
echo CONTINUE2\n
continue
printf "STOP2 rip=%#lx\n", \$rip
info threads
thread apply all info registers rip
continue
GDB
gdb -batch -nx -x "$cmds" </dev/null >"$WORKDIR/gdb.out" 2>&1 &
gdbp=$!
# wait_for FILE TEXT SECONDS
wait_for() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		grep -q "$2" "$1" && return 0
		kill -0 $gdbp 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
wait_for "$WORKDIR/gdb.out" '^CONTINUE1' 60 || { cat "$WORKDIR/gdb.out"; mvt_fail "gdb did not attach"; }
# the breakpoint (early: the kernel has not printed MVT-READY) or the idle guest
for _ in $(seq 1500); do
	grep -q '^STOP1' "$WORKDIR/gdb.out" && break
	grep -q '^MVT idle=1' <(tr -d '\r' <"$log") && break
	kill -0 $gdbp 2>/dev/null || break
	sleep 0.2
done
hit=0
if grep -q '^STOP1' "$WORKDIR/gdb.out"; then
	hit=1
else
	grep -q '^MVT idle=1' <(tr -d '\r' <"$log") ||
		{ mvt_show "$log"; cat "$WORKDIR/gdb.out"; mvt_fail "neither the breakpoint nor the idle guest"; }
	sleep 1
	kill -INT $gdbp
	wait_for "$WORKDIR/gdb.out" '^STOP1' 60 || { cat "$WORKDIR/gdb.out"; mvt_fail "gdb did not stop on Ctrl-C"; }
fi
wait_for "$WORKDIR/gdb.out" '^CONTINUE2' 60 || { cat "$WORKDIR/gdb.out"; mvt_fail "gdb did not continue"; }
if [ $hit = 1 ]; then
	grep -q "^STOP1 rip=$start_kernel\$" "$WORKDIR/gdb.out" ||
		{ cat "$WORKDIR/gdb.out"; mvt_fail "stopped, but not at start_kernel ($start_kernel)"; }
	grep -q MVT-READY <(tr -d '\r' <"$log") && mvt_fail "start_kernel was reached after user space"
	for _ in $(seq 1500); do
		grep -q '^MVT idle=1' <(tr -d '\r' <"$log") && break
		kill -0 $gdbp 2>/dev/null || break
		sleep 0.2
	done
	grep -q '^MVT idle=1' <(tr -d '\r' <"$log") || { mvt_show "$log"; mvt_fail "the guest did not reach idle after the breakpoint"; }
	sleep 1
	kill -INT $gdbp
	wait_for "$WORKDIR/gdb.out" '^STOP2' 60 || { cat "$WORKDIR/gdb.out"; mvt_fail "gdb did not stop on Ctrl-C"; }
elif [ -z "${MVT_NESTED:-}" ]; then
	cat "$WORKDIR/gdb.out"
	mvt_fail "the hardware breakpoint at start_kernel did not stop the guest"
else
	echo "hbreak *start_kernel did not fire in the nested harness' L1 (its emulated SVM does not intercept #DB); Ctrl-C checked"
	sleep 2
	kill -INT $gdbp
	wait_for "$WORKDIR/gdb.out" '^STOP2' 60 || { cat "$WORKDIR/gdb.out"; mvt_fail "gdb did not stop on the second Ctrl-C"; }
fi
wait $gdbp
grc=$?
gdbp=
wait $vmm
rc=$?
out=$WORKDIR/gdb.out
[ $grc = 0 ] || { cat "$out"; mvt_fail "gdb exit code $grc"; }
grep -q 'received signal SIGINT' "$out" || { cat "$out"; mvt_fail "gdb did not report the Ctrl-C"; }
grep -q 'Thread 1 "vCPU 0"' "$out" && grep -q 'Thread 2 "vCPU 1"' "$out" ||
	{ cat "$out"; mvt_fail "info threads does not list both vCPUs"; }
rips=$(sed -n 's/^rip  *\(0x[0-9a-f]*\) .*/\1/p' "$out")
[ "$(echo "$rips" | wc -l)" = 2 ] || { cat "$out"; mvt_fail "not one RIP per vCPU"; }
for r in $rips; do
	# unsigned compare of 64-bit addresses: as 16-digit hex strings
	h=$(hex16 "$r") lo=$(hex16 "$stext") hi=$(hex16 "$etext")
	[[ ! "$h" < "$lo" && "$h" < "$hi" ]] || { cat "$out"; mvt_fail "RIP $r is outside the kernel text"; }
done
grep -q 'exited normally' "$out" || { cat "$out"; mvt_fail "gdb did not see the power-off"; }
[ $rc = 0 ] || { mvt_show "$log"; mvt_fail "minivmm exit code $rc, expected 0"; }
mvt_expect_fact "$log" nproc 2
mvt_expect_fact "$log" idle_done 1
echo "gdb: -s -S, start_kernel breakpoint: $([ $hit = 1 ] && echo hit || echo 'not fired (nested)'), Ctrl-C on idle SMP kernel, RIPs $(echo $rips), power-off"
