#!/bin/bash
# SPDX-License-Identifier: MIT
# The virsh-like front end and process life, round trip (docs/control.md):
# a named VM started with -daemonize -pidfile -serial unix -S returns to
# the caller once set up; its pidfile holds its pid and is locked; its
# runtime-directory sockets are mode 0600; `minivmm list` shows it;
# a second VM of the same name and a second user of the pidfile are
# refused with exit 1 and the reason on the caller's stderr (set-up errors
# under -daemonize); `minivmm console` shows the guest's boot once `ctl
# resume` lets it run (a second console is told it is busy); `ctl`
# pauses, resumes, reports status and stats (readable and --json),
# presses the power button, and stops the VM, which removes its pidfile
# and sockets.  Then a VM killed with SIGKILL leaves stale sockets that
# the next list removes, and -serial pty prints its path like QEMU and
# carries the console.
# timeout: 180
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE
export MINIVMM_RUNTIME_DIR=$WORK/run
name=life-$$
run=$MINIVMM_RUNTIME_DIR

start_vm() {	# NAME PIDFILE [more options]
	local n=$1 p=$2
	shift 2
	timeout -k 5 30 "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -m 128 -smp 2 \
		-append "console=ttyS0 bootinfo.action=halt" -name "$n" \
		-pidfile "$p" -daemonize "$@" </dev/null
}

ctl() {		# expect the output of one ctl command to match a pattern
	local want=$1 out
	shift
	out=$(timeout 20 "$MINIVMM" ctl "$@" 2>&1) ||
		fail "ctl $*: exit $?: $out"
	grep -Eq -- "$want" <<<"$out" || fail "ctl $*: '$out' does not match /$want/"
}

wait_gone() {	# PID: the process ends within 10 s
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	fail "process $1 is still running"
}

# ---- start, pidfile, sockets, list
start_vm "$name" "$WORK/vm.pid" -serial unix -S >"$WORK/start.out" 2>"$WORK/start.err" ||
	{ cat "$WORK/start.err" >&2; fail "-daemonize start: exit $?"; }
pid=$(cat "$WORK/vm.pid")
kill -0 "$pid" || fail "no process $pid from the pidfile"
flock -n "$WORK/vm.pid" true && fail "the pidfile is not locked"
for s in qmp console; do
	mode=$(stat -c %a "$run/$name.$s") || fail "no $name.$s socket"
	[ "$mode" = 600 ] || fail "$name.$s has mode $mode, expected 600"
done
timeout 20 "$MINIVMM" list >"$WORK/list" || fail "list: exit $?"
grep -Eq "^$name +$pid +prelaunch +2 +128 MiB" "$WORK/list" ||
	{ cat "$WORK/list" >&2; fail "list does not show the VM"; }

# ---- set-up errors under -daemonize reach the caller
start_vm "$name" "$WORK/other.pid" -serial none >/dev/null 2>"$WORK/dup.err"
rc=$?
[ "$rc" = 1 ] || fail "a second VM named $name: exit $rc, expected 1"
grep -q "in use by a running process" "$WORK/dup.err" ||
	{ cat "$WORK/dup.err" >&2; fail "no reason for the refused name"; }
start_vm "$name-2" "$WORK/vm.pid" -serial none >/dev/null 2>"$WORK/pid.err"
rc=$?
[ "$rc" = 1 ] || fail "a second user of the pidfile: exit $rc, expected 1"
grep -q "is locked by a running process (pid $pid)" "$WORK/pid.err" ||
	{ cat "$WORK/pid.err" >&2; fail "no reason for the refused pidfile"; }
[ "$(cat "$WORK/vm.pid")" = "$pid" ] || fail "the refused start changed the pidfile"

# ---- console: the boot appears once the guest runs
timeout 60 "$MINIVMM" console "$name" </dev/null >"$WORK/console.out" 2>&1 &
con=$!
sleep 1
timeout 10 "$MINIVMM" console "$name" </dev/null >"$WORK/busy.out" 2>&1
grep -q "in use by another client" "$WORK/busy.out" ||
	{ cat "$WORK/busy.out" >&2; fail "a second console was not told it is busy"; }
ctl "^$name: running$" "$name" resume
for _ in $(seq 300); do
	grep -q 'BOOTINFO end' "$WORK/console.out" && break
	sleep 0.1
done
grep -q 'BOOTINFO end' "$WORK/console.out" ||
	{ cat "$WORK/console.out" >&2; fail "the boot did not reach minivmm console"; }

# ---- ctl
ctl "^$name: running$" "$name" status
ctl "^$name: paused$" "$name" pause
ctl "^$name: paused$" "$name" status
ctl '"status": "paused"' "$name" status --json
ctl "^$name: running$" "$name" resume
ctl "^vcpu0: exits=" "$name" stats
timeout 20 "$MINIVMM" ctl "$name" stats --json >"$WORK/stats.json" ||
	fail "ctl stats --json: exit $?"
python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["return"]
assert len(r["vcpus"]) == 2 and "report" in r and "disks" in r, r' \
	"$WORK/stats.json" || fail "ctl stats --json: not the stats reply"
ctl "^$name: power button pressed$" "$name" powerdown
kill -0 "$pid" || fail "the halted guest should ignore the power button"
ctl "^$name: stopped$" "$name" stop
wait_gone "$pid"
wait "$con" || fail "minivmm console did not end cleanly when the VM stopped"
[ -e "$WORK/vm.pid" ] && fail "the pidfile was left behind"
[ -e "$run/$name.qmp" ] && fail "the QMP socket was left behind"
[ -e "$run/$name.console" ] && fail "the console socket was left behind"
timeout 20 "$MINIVMM" list | grep -q "^$name " && fail "list shows a stopped VM"

# ---- a VM killed with SIGKILL: its stale entry goes with the next list
start_vm "$name-k" "$WORK/k.pid" -serial unix >/dev/null 2>"$WORK/k.err" ||
	{ cat "$WORK/k.err" >&2; fail "start of the VM to kill: exit $?"; }
kpid=$(cat "$WORK/k.pid")
kill -9 "$kpid"
wait_gone "$kpid"
[ -S "$run/$name-k.qmp" ] || fail "SIGKILL left no socket (nothing to test)"
timeout 20 "$MINIVMM" list >"$WORK/list2" || fail "list: exit $?"
grep -q "^$name-k " "$WORK/list2" && fail "list shows the killed VM"
[ -e "$run/$name-k.qmp" ] && fail "list left the stale QMP socket"
[ -e "$run/$name-k.console" ] && fail "list left the stale console socket"

# ---- -serial pty: the path on stdout, the console behind it
start_vm "$name-p" "$WORK/p.pid" -serial pty -S >"$WORK/pty.out" 2>"$WORK/pty.err" ||
	{ cat "$WORK/pty.err" >&2; fail "-serial pty start: exit $?"; }
pty=$(sed -n 's/^char device redirected to \(\/dev\/pts\/[0-9]*\) (label serial0)$/\1/p' "$WORK/pty.out")
[ -c "$pty" ] || { cat "$WORK/pty.out" >&2; fail "no pty path printed"; }
timeout 30 cat "$pty" >"$WORK/pty.console" &
reader=$!
sleep 0.5
ctl "^$name-p: running$" "$name-p" resume
for _ in $(seq 300); do
	grep -q 'BOOTINFO end' "$WORK/pty.console" && break
	sleep 0.1
done
kill "$reader" 2>/dev/null
grep -q 'BOOTINFO end' "$WORK/pty.console" ||
	{ head -c 2000 "$WORK/pty.console" >&2; fail "the boot did not reach the pty"; }
ppid=$(cat "$WORK/p.pid")
ctl "^$name-p: stopped$" "$name-p" stop
wait_gone "$ppid"
echo "PASS: daemonize, pidfile, list, ctl, console, stale entry, pty"
