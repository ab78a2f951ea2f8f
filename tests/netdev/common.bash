# SPDX-License-Identifier: MIT
# Sourced by tests/netdev/netdev_*.sh: a private network namespace (deleted
# on exit), minivmm runs inside it with the halted boot-info guest.
# Environment: MINIVMM, BOOTINFO_BZIMAGE.
set -u

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# skip, the common checks, netns_start/netns_remove, nsrun.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.bash"

PIDS=()

netdev_cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	netns_remove
}
netns_start nd netdev netdev_cleanup

# vm_start NAME [minivmm args...]: boot the halted guest in the namespace,
# in the background, and wait until it has halted.  Sets VM_PID.
vm_start() {
	local name=$1
	shift
	# Neither a shell function nor timeout(1) in between: VM_PID must be
	# minivmm itself (ip netns exec execs it).  The EXIT trap kills
	# whatever is left.
	ip netns exec "$NS" "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" \
		-serial stdio -m 64 -append "console=ttyS0 bootinfo.action=halt" \
		"$@" </dev/null >"$WORK/$name.out" 2>"$WORK/$name.err" &
	VM_PID=$!
	PIDS+=("$VM_PID")
	for _ in $(seq 300); do
		grep -q 'GUEST halt' "$WORK/$name.out" && return 0
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "--- console of $name:" >&2
	tr -d '\r' <"$WORK/$name.out" >&2
	echo "--- stderr of $name:" >&2
	cat "$WORK/$name.err" >&2
	fail "$name: the guest did not come up and halt"
}

# vm_stop NAME: SIGTERM, expect exit code 7 (within 10 s).
vm_stop() {
	local rc
	kill -TERM "$VM_PID"
	for _ in $(seq 100); do
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$VM_PID" 2>/dev/null && fail "$1: minivmm ignored SIGTERM for 10 s"
	wait "$VM_PID"
	rc=$?
	[ "$rc" = 7 ] || { cat "$WORK/$1.err" >&2; fail "$1: exit code $rc, expected 7"; }
}

# expect_error NAME RC TEXT [minivmm args...]: minivmm exits RC and its
# first stderr line is exactly "minivmm: TEXT" (TEXT may be a glob).
expect_error() {
	local name=$1 want=$2 text=$3 rc first
	shift 3
	nsrun timeout -k 5 60 "$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -m 64 \
		"$@" </dev/null >"$WORK/$name.out" 2>"$WORK/$name.err"
	rc=$?
	first=$(head -n 1 "$WORK/$name.err")
	[ "$rc" = "$want" ] ||
		{ cat "$WORK/$name.err" >&2; fail "$name: exit code $rc, expected $want"; }
	# shellcheck disable=SC2053
	[[ $first == "minivmm: "$text ]] ||
		fail "$name: error line is '$first', expected 'minivmm: $text'"
	echo "ok: $name: exit $rc: $first"
}

# link_field IF: "UP" or "DOWN" + master name ("-" if none).
link_state() {
	local line master up=DOWN
	line=$(nsrun ip -o link show dev "$1") || return 1
	case $line in *"<"*UP*">"*) up=UP ;; esac
	master=$(sed -n 's/.* master \([^ ]*\) .*/\1/p' <<<"$line")
	echo "$up ${master:--}"
}
