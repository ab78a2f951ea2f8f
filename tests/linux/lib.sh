#!/bin/bash
# SPDX-License-Identifier: MIT
#
# lib.sh - helpers for layer-3 cases (tests/linux/cases/*.sh).  Source it:
#
#   . "$(dirname "$0")/../lib.sh"
#
# It checks that MINIVMM, KERNEL, INITRD and WORKDIR are set and defines:
#
#   mvt_boot NAME [MINIVMM-ARGS...]
#       Boot the test guest running guest script NAME (mvt.run=NAME) with
#       stdin from /dev/null, bounded by $MVT_TIMEOUT seconds (default 120).
#       Knobs (environment, per call: MVT_SMP=4 mvt_boot ...):
#         MVT_MEM (256), MVT_SMP (2), MVT_APPEND (extra kernel arguments),
#         MVT_PANIC (-1: a panic halts and minivmm is stopped by the timeout;
#         set 1 to turn a panic into a reboot, exit code 3), MVT_LOGLEVEL
#         (console loglevel; 5 under the nested harness), MVT_STATS (1:
#         minivmm runs with -stats, so a failed case's log ends with its
#         counters: vCPU exits, console, disks, NICs and their rings).
#       Console output goes to $WORKDIR/NAME.log (MVT_LOG names another
#       file); the return value is minivmm's exit code (124: timed out).
#   mvt_fact LOG KEY      print the value of the last "MVT KEY=value" line
#   mvt_expect_done LOG [RC]   check MVT-READY and "MVT-DONE rc=RC" (0)
#   mvt_expect_fact LOG KEY VALUE   check one fact
#   mvt_fail MESSAGE      print the message and exit 1
#   mvt_show LOG          print the log (cases do this on failure)
set -u

: "${MINIVMM:?MINIVMM (minivmm binary) not set}"
: "${KERNEL:?KERNEL (test vmlinuz) not set}"
: "${INITRD:?INITRD (test initramfs) not set}"
: "${WORKDIR:?WORKDIR (scratch directory) not set}"
MVT_TIMEOUT=${MVT_TIMEOUT:-120}

mvt_fail()
{
	echo "FAIL: $*"
	exit 1
}

mvt_show()
{
	echo "----- $1 -----"
	tr -d '\r' <"$1"
	echo "----- end of $1 -----"
}

mvt_boot()
{
	local name=$1 rc
	shift
	local log=${MVT_LOG:-$WORKDIR/$name.log}
	local append="console=ttyS0 quiet panic=${MVT_PANIC:--1} mvt.run=$name"

	# Warnings (a soft lockup's stack trace) on the console despite quiet:
	# MVT_LOGLEVEL, by default 5 in the nested harness, where L2 crashes.
	local ll=${MVT_LOGLEVEL:-${MVT_NESTED:+5}}
	[ -n "$ll" ] && append="$append loglevel=$ll"
	[ -n "${MVT_APPEND:-}" ] && append="$append $MVT_APPEND"
	local stats=()
	[ "${MVT_STATS:-1}" = 1 ] && stats=(-stats)
	# O_APPEND: the watchdog adds to the log while minivmm writes it.
	: >"$log"
	timeout -k 5 "$MVT_TIMEOUT" "$MINIVMM" -kernel "$KERNEL" \
		-initrd "$INITRD" -m "${MVT_MEM:-256}" -smp "${MVT_SMP:-2}" \
		-append "$append" "${stats[@]}" "$@" </dev/null >>"$log" 2>&1 &
	local tpid=$! wpid
	mvt_watchdog "$tpid" "$log" </dev/null >/dev/null 2>&1 &
	wpid=$!
	wait "$tpid"
	rc=$?
	kill -TERM "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	[ $rc -eq 124 ] && echo "(timed out after ${MVT_TIMEOUT}s)" >>"$log"
	return $rc
}

# mvt_threads PID: one block per thread of PID: name, state, the system
# call it sits in and its kernel stack - enough to tell a vCPU inside
# KVM_RUN from one blocked on a lock in minivmm.
mvt_threads()
{
	local t
	for t in /proc/"$1"/task/*; do
		[ -d "$t" ] || continue
		echo "thread ${t##*/} $(cat "$t/comm" 2>/dev/null):" \
			"state $(awk '{ print $3 }' "$t/stat" 2>/dev/null)" \
			"wchan $(cat "$t/wchan" 2>/dev/null)" \
			"syscall $(cut -d' ' -f1-3 "$t/syscall" 2>/dev/null)"
		sed 's/^/    /' "$t/stack" 2>/dev/null
	done
}

# mvt_child_of PID: a child process of PID (no pgrep in the nested L1).
mvt_child_of()
{
	local st rest pid
	for st in /proc/[0-9]*/stat; do
		read -r rest <"$st" 2>/dev/null || continue
		rest=${rest##*) }	# after "pid (comm) " come state, ppid, ...
		rest=${rest#* }
		if [ "${rest%% *}" = "$1" ]; then
			pid=${st#/proc/}
			echo "${pid%/stat}"
			return 0
		fi
	done
	return 1
}

# mvt_watchdog TIMEOUT-PID LOG: a few seconds before timeout(1) stops a hung
# minivmm, append its threads' states to LOG (why it hung).
mvt_watchdog()
{
	local tpid=$1 log=$2 wait_s=$((MVT_TIMEOUT - 3)) vmm spid

	[ "$wait_s" -gt 0 ] || return 0
	sleep "$wait_s" &
	spid=$!
	trap 'kill $spid 2>/dev/null; exit 0' TERM
	wait "$spid"
	vmm=$(mvt_child_of "$tpid")
	[ -n "$vmm" ] || return 0
	{
		echo "(minivmm still running after ${wait_s}s; its threads:)"
		mvt_threads "$vmm"
	} >>"$log"
}

mvt_fact()
{
	tr -d '\r' <"$1" | sed -n "s/^MVT $2=//p" | tail -n 1
}

mvt_expect_done()
{
	local log=$1 want=${2:-0}
	grep -q '^MVT-READY' <(tr -d '\r' <"$log") ||
		{ mvt_show "$log"; mvt_fail "guest never printed MVT-READY"; }
	grep -q "^MVT-DONE rc=$want\$" <(tr -d '\r' <"$log") ||
		{ mvt_show "$log"; mvt_fail "guest script did not end with rc=$want"; }
}

mvt_expect_fact()
{
	local got
	got=$(mvt_fact "$1" "$2")
	[ "$got" = "$3" ] ||
		{ mvt_show "$1"; mvt_fail "$2 is '$got', expected '$3'"; }
}

# mvt_hold LOG IMAGE [EXTRA-APPEND]: start a guest running blk_hold on IMAGE
# in the background, in its own process group (killed at exit), and wait
# until it says "MVT holding=1" (or dies).  Sets MVT_HOLD_PID.
mvt_hold()
{
	local log=$1 img=$2 extra=${3:-} i

	: >"$log"
	setsid "$MINIVMM" -kernel "$KERNEL" -initrd "$INITRD" -m 256 -smp 2 \
		-append "console=ttyS0 quiet panic=-1 mvt.run=blk_hold $extra" \
		-drive "file=$img" </dev/null >"$log" 2>&1 &
	# setsid execs it, so the pid is minivmm's and its group's.
	MVT_HOLD_PID=$!
	trap 'kill -9 -- -$MVT_HOLD_PID 2>/dev/null' EXIT
	for ((i = 0; i < MVT_TIMEOUT * 4; i++)); do
		grep -q '^MVT holding=1' <(tr -d '\r' <"$log") && return 0
		kill -0 "$MVT_HOLD_PID" 2>/dev/null || return 1
		sleep 0.25
	done
	return 1
}
