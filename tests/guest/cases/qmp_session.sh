#!/bin/bash
# SPDX-License-Identifier: MIT
# QMP over -qmp: the boot-info guest halts and stays; a client
# (tests/guest/qmp_session.py) negotiates, stops the VM (STOP event,
# "paused"), stops it again (no second event), continues it (RESUME,
# "running"), queries, presses the power button (POWERDOWN; the halted
# guest ignores it) and quits: exit 7, SHUTDOWN host-qmp-quit, the socket
# (mode 0600 while it lived) removed.  A second VM is reset: exit 3,
# SHUTDOWN host-qmp-system-reset; a third, with -reboot restart, boots
# again (RESET) and quits.  The same sessions against QEMU's microvm
# running the same guest (TCG; -no-reboot for the first two) give the
# reference shapes: every reply and event both programs have must match
# in member names and types.  Last, the virtio-blk guest does its reads, write,
# flush, discard and bad requests on a drive and halts: query-blockstats
# counts exactly those, with the time each kind took.
# timeout: 180
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE BOOTINFO_ELF GUEST_DIR
client=$(dirname "$0")/../qmp_session.py
sock=$WORK/vm.qmp
append="console=ttyS0 bootinfo.action=halt"
# A drive for query-blockstats (the guest does not touch it).
img=$WORK/disk.img
truncate -s 1M "$img"

# wait_sock PATH PID: the QMP socket appears (or the VMM died).
wait_sock() {
	for _ in $(seq 100); do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

timeout -k 5 90 "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial none -m 128 \
	-append "$append" -qmp "unix:$sock,server=on,wait=off" \
	-drive "file=$img,format=raw" \
	</dev/null >"$WORK/mvm.out" 2>"$WORK/mvm.err" &
pid=$!
wait_sock "$sock" "$pid" || { cat "$WORK/mvm.err" >&2; fail "no QMP socket at $sock"; }
mode=$(stat -c %a "$sock")
[ "$mode" = 600 ] || fail "socket mode $mode, expected 600"
python3 "$client" "$sock" "$WORK/minivmm.json" --drive || { kill "$pid"; fail "QMP session"; }
wait "$pid"
rc=$?
[ "$rc" = 7 ] || { cat "$WORK/mvm.err" >&2; fail "exit code $rc after quit, expected 7"; }
[ ! -e "$sock" ] || fail "the socket was left behind"

# system_reset: without -reboot restart the run ends (exit 3, SHUTDOWN);
# with it the guest starts afresh (RESET, booted twice) and quit ends it.
mvm_reset() {	# NAME EXPECTED-EXIT [minivmm options]
	local n=$1 want=$2 rsock=$WORK/$1.qmp rpid rc
	shift 2
	timeout -k 5 90 "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial stdio \
		-m 128 -append "$append" -qmp "unix:$rsock,server=on,wait=off" "$@" \
		</dev/null >"$WORK/$n.out" 2>"$WORK/$n.err" &
	rpid=$!
	wait_sock "$rsock" "$rpid" || { cat "$WORK/$n.err" >&2; fail "$n: no QMP socket"; }
	python3 "$client" --reset "$rsock" "$WORK/minivmm-$n.json" "$WORK/$n.out" ||
		{ kill "$rpid"; cat "$WORK/$n.err" >&2; fail "$n: QMP reset session"; }
	wait "$rpid"
	rc=$?
	[ "$rc" = "$want" ] || { cat "$WORK/$n.err" >&2; fail "$n: exit code $rc, expected $want"; }
}
mvm_reset reset 3
mvm_reset restart 7 -reboot restart
boots=$(tr -d '\r' <"$WORK/restart.out" | grep -c '^BOOTINFO end')
[ "$boots" = 2 ] || fail "restart: the guest booted $boots times, expected 2"

# QEMU: the same guest (its PVH ELF), the same sessions.
[ -n "${QEMU:-}" ] && command -v "$QEMU" >/dev/null ||
	fail "QEMU is needed as the reference (scripts/install-deps.sh installs it)"
qemu_session() {	# NAME [qmp_session.py mode]: QEMU's microvm, -S
	local n=$1 qsock=$WORK/qemu-$1.qmp qpid
	shift
	timeout -k 5 60 "$QEMU" -M microvm -accel tcg -display none -nodefaults \
		$QEMU_EXTRA -S -m 128 -kernel "$BOOTINFO_ELF" -append "$append" \
		-qmp "unix:$qsock,server=on,wait=off" \
		-drive "if=none,id=vda,file=$img,format=raw" </dev/null \
		>"$WORK/qemu-$n.err" 2>&1 &
	qpid=$!
	python3 "$client" "$@" "$qsock" "$WORK/qemu-$n.json" ||
		{ kill "$qpid"; cat "$WORK/qemu-$n.err" >&2; fail "QMP session $n with QEMU"; }
	wait "$qpid"
}
QEMU_EXTRA=-no-reboot qemu_session main
QEMU_EXTRA=-no-reboot qemu_session reset --reset
QEMU_EXTRA= qemu_session restart --reset
python3 "$client" --compare "$WORK/minivmm.json" "$WORK/qemu-main.json" \
	"$WORK/minivmm-reset.json" "$WORK/qemu-reset.json" \
	"$WORK/minivmm-restart.json" "$WORK/qemu-restart.json" || fail "shapes"

# query-blockstats after real requests: the virtio-blk guest, halted.
vblk=$GUEST_DIR/virtio_blk/vblk.bzImage
[ -f "$vblk" ] || fail "no $vblk (build target vblk_bzimage)"
head -c $((2 << 20)) /dev/urandom >"$WORK/vblk.img"
bsock=$WORK/blk.qmp
timeout -k 5 90 "$MINIVMM" -kernel "$vblk" -serial stdio -m 128 \
	-append "vblk.write=1 vblk.end=halt" \
	-qmp "unix:$bsock,server=on,wait=off" -drive "file=$WORK/vblk.img,format=raw" \
	</dev/null >"$WORK/blk.out" 2>"$WORK/blk.err" &
pid=$!
for _ in $(seq 300); do
	grep -q '^VBLK end' <(tr -d '\r' <"$WORK/blk.out") && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
grep -q '^VBLK end' <(tr -d '\r' <"$WORK/blk.out") ||
	{ kill "$pid"; cat "$WORK/blk.out" "$WORK/blk.err" >&2; fail "the virtio-blk guest did not finish"; }
python3 "$client" --blockstats "$bsock" ||
	{ kill "$pid"; tr -d '\r' <"$WORK/blk.out" >&2; fail "query-blockstats after the guest's requests"; }
wait "$pid"
rc=$?
[ "$rc" = 7 ] || { cat "$WORK/blk.err" >&2; fail "exit code $rc after quit (blockstats), expected 7"; }
echo "PASS: QMP sessions (quit: exit 7, reset: exit 3), socket 0600 and removed, QEMU's shapes, blockstats counted"
