#!/bin/bash
# SPDX-License-Identifier: MIT
# Ctrl-C in Debian's gdb stops a running guest, on a host with a working
# /dev/kvm.  Environment: MINIVMM, GDBGUEST_BZIMAGE, GDBGUEST_ELF, GDB.
#
# The guest (gdbguest.spin=1, -smp 2) spins in gdbguest_spin() counting
# gdbguest_spins.  gdb attaches (the VM stops), continues, and gets SIGINT
# as a terminal's Ctrl-C sends it: it interrupts the target ("\x03"),
# every vCPU stops, each thread's RIP is shown, vCPU 0's inside
# gdbguest_spin; the counter moved while the guest ran and stands still
# while it is stopped; gdb releases the loop and continues to power-off.
# (vCPU 1 of this guest is never started: it waits for a SIPI, parked.)
set -u
GDB=${GDB:-gdb}
work=$(mktemp -d "${TMPDIR:-/tmp}/mvt-gdbc.XXXXXX")
vmm_pid=
gdb_pid=
cleanup() {
	[ -n "$gdb_pid" ] && kill "$gdb_pid" 2>/dev/null
	[ -n "$vmm_pid" ] && kill "$vmm_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	for f in gdb.out serial.out vmm.err; do
		[ -f "$work/$f" ] && { echo "--- $f:" >&2; tail -n 60 "$work/$f" >&2; }
	done
	exit 1
}

sock=$work/gdb.sock
timeout -k 5 300 "$MINIVMM" -kernel "$GDBGUEST_BZIMAGE" -smp 2 \
	-append gdbguest.spin=1 -gdb "unix:$sock,server=on" -serial stdio \
	</dev/null >"$work/serial.out" 2>"$work/vmm.err" &
vmm_pid=$!
for _ in $(seq 300); do grep -q 'GDBGUEST spinning' "$work/serial.out" && break; sleep 0.1; done
grep -q 'GDBGUEST spinning' "$work/serial.out" || fail "the guest did not start spinning"

cmds=$work/cmds.gdb
cat >"$cmds" <<GDB
set pagination off
set confirm off
target remote $sock
printf "SPINS_ATTACH %lu\n", gdbguest_spins
echo CONTINUING\n
continue
printf "SPINS_STOP %lu\n", gdbguest_spins
info threads
thread apply all info registers rip
shell sleep 2
printf "SPINS_LATER %lu\n", gdbguest_spins
set var gdbguest_release = 1
continue
GDB
# gdb itself gets the SIGINT (no timeout(1) in between); a watchdog bounds it
$GDB -batch -nx -x "$cmds" "$GDBGUEST_ELF" </dev/null >"$work/gdb.out" 2>&1 &
gdb_pid=$!
(sleep 240; kill "$gdb_pid" 2>/dev/null) &
for _ in $(seq 600); do grep -q '^CONTINUING' "$work/gdb.out" && break; sleep 0.1; done
grep -q '^CONTINUING' "$work/gdb.out" || fail "gdb did not attach and continue"
sleep 3
kill -INT $gdb_pid		# what Ctrl-C in gdb's terminal does
wait $gdb_pid || { gdb_pid=; fail "gdb failed (rc $?)"; }
gdb_pid=
wait $vmm_pid
rc=$?
vmm_pid=
out=$work/gdb.out
grep -q 'received signal SIGINT' "$out" || fail "gdb did not report the interrupt (SIGINT)"
n=$(grep -cE '^rip +0x[0-9a-f]+' "$out")
[ "$n" = 2 ] || fail "$n RIPs shown for 2 vCPUs"
grep -Eq '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <gdbguest_spin(\+[0-9]+)?>' "$out" ||
	fail "no vCPU stopped inside gdbguest_spin"
grep -q 'Thread 2 "vCPU 1"' "$out" || fail "info threads does not list vCPU 1"
a=$(sed -n 's/^SPINS_ATTACH //p' "$out")
s=$(sed -n 's/^SPINS_STOP //p' "$out")
l=$(sed -n 's/^SPINS_LATER //p' "$out")
[ -n "$a" ] && [ -n "$s" ] && [ "$s" -gt "$a" ] ||
	fail "the guest did not run between attach ($a) and Ctrl-C ($s)"
[ "$l" = "$s" ] || fail "the guest ran while stopped ($s, then $l)"
grep -q 'exited normally' "$out" || fail "gdb did not see the guest power off"
[ $rc -eq 0 ] || fail "minivmm exit code $rc, want 0 (power-off)"
tr -d '\r' <"$work/serial.out" | grep -q '^GDBGUEST released$' ||
	fail "the guest did not leave its loop"
echo "gdb Ctrl-C: the running guest stopped (spins $a -> $s, still $l), RIPs of both vCPUs shown, power-off: ok"
