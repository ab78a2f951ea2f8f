#!/bin/bash
# SPDX-License-Identifier: MIT
# QMP over -qmp: the boot-info guest halts and stays; a client
# (tests/guest/qmp_session.py) negotiates, stops the VM (STOP event,
# "paused"), stops it again (no second event), continues it (RESUME,
# "running"), queries, and quits: exit 7, SHUTDOWN host-qmp-quit, the
# socket (mode 0600 while it lived) removed.  The same session against
# QEMU's microvm (TCG, no guest needed) gives the reference shapes: every
# reply and event both programs have must match in member names and types.
# timeout: 120
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE
client=$(dirname "$0")/../qmp_session.py
sock=$WORK/vm.qmp
# A drive for query-blockstats (the guest does not touch it).
img=$WORK/disk.img
truncate -s 1M "$img"

timeout -k 5 90 "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial none -m 128 \
	-append "bootinfo.action=halt" -qmp "unix:$sock,server=on,wait=off" \
	-drive "file=$img,format=raw" \
	</dev/null >"$WORK/mvm.out" 2>"$WORK/mvm.err" &
pid=$!
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	sleep 0.1
done
[ -S "$sock" ] || { cat "$WORK/mvm.err" >&2; fail "no QMP socket at $sock"; }
mode=$(stat -c %a "$sock")
[ "$mode" = 600 ] || fail "socket mode $mode, expected 600"
python3 "$client" "$sock" "$WORK/minivmm.json" --drive || { kill "$pid"; fail "QMP session"; }
wait "$pid"
rc=$?
[ "$rc" = 7 ] || { cat "$WORK/mvm.err" >&2; fail "exit code $rc after quit, expected 7"; }
[ ! -e "$sock" ] || fail "the socket was left behind"

[ -n "${QEMU:-}" ] && command -v "$QEMU" >/dev/null ||
	fail "QEMU is needed as the reference (scripts/install-deps.sh installs it)"
qsock=$WORK/qemu.qmp
timeout -k 5 60 "$QEMU" -M microvm -accel tcg -display none -nodefaults -S \
	-m 64 -qmp "unix:$qsock,server=on,wait=off" \
	-drive "if=none,id=vda,file=$img,format=raw" >"$WORK/qemu.err" 2>&1 &
qpid=$!
python3 "$client" "$qsock" "$WORK/qemu.json" || { kill "$qpid"; fail "QMP session with QEMU"; }
wait "$qpid"
python3 "$client" --compare "$WORK/minivmm.json" "$WORK/qemu.json" || fail "shapes"
echo "PASS: QMP session, exit 7, socket 0600 and removed, QEMU's shapes"
