# SPDX-License-Identifier: MIT
# Sourced (after ../lib.sh) by the layer-3 net_* cases; not a case itself.
#
# Every case builds its own network world in namespaces it creates and
# deletes (trap EXIT), per shared/testnet.md: a bridge, host-side
# addresses on it, and minivmm run with `ip netns exec` so its TAPs live
# there.  Private addresses never touch the root namespace.
#
#   net_ns NAME          create namespace mvt-$$-NAME (lo up) into $NET_NS
#   net_bridge NS BR [ADDR/PREFIX]   a bridge (with a host address), up
#   net_minivmm NS       path of a wrapper that runs $MINIVMM in NS, for
#                        MINIVMM=$(net_minivmm NS) mvt_boot ...
#   net_bg PID           remember a background PID to kill on exit
#   net_wait_pid PID SECS   wait for it, at most SECS; returns its status
#   net_expect_no_link NS IF   minivmm's TAP must be gone after it exited

NET_NAMESPACES=()
NET_PIDS=()

net_cleanup()
{
	local p ns
	for p in "${NET_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${NET_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for ns in "${NET_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap net_cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v ip >/dev/null || { echo "needs ip (iproute2)"; exit 77; }
[ -c /dev/net/tun ] || { echo "needs /dev/net/tun (tun module)"; exit 77; }

net_ns()
{
	NET_NS=mvt-$$-$1
	ip netns add "$NET_NS" || mvt_fail "cannot create namespace $NET_NS"
	NET_NAMESPACES+=("$NET_NS")
	ip -n "$NET_NS" link set lo up
}

net_bridge()
{
	local ns=$1 br=$2 addr=${3:-}
	ip -n "$ns" link add "$br" type bridge ||
		mvt_fail "cannot create bridge $br (bridge module?)"
	# No STP: a port forwards at once.
	ip -n "$ns" link set "$br" type bridge stp_state 0 forward_delay 0 2>/dev/null
	[ -n "$addr" ] && ip -n "$ns" addr add "$addr" dev "$br"
	ip -n "$ns" link set "$br" up
}

net_minivmm()
{
	local ns=$1 w=$WORKDIR/minivmm-in-$1
	printf '#!/bin/sh\nexec ip netns exec %q %q "$@"\n' "$ns" "$MINIVMM" >"$w"
	chmod +x "$w"
	echo "$w"
}

net_bg()
{
	NET_PIDS+=("$1")
}

net_wait_pid()
{
	local pid=$1 secs=$2 i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((secs * 10)) ]; then
			kill -TERM "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 124
		fi
		sleep 0.1
	done
	wait "$pid"
}

net_expect_no_link()
{
	if ip -n "$1" link show dev "$2" >/dev/null 2>&1; then
		mvt_fail "TAP $2 outlived minivmm"
	fi
}

# net_check_boot LOG RC: the run powered off (0) and the script ended 0.
net_check_boot()
{
	[ "$2" -eq 0 ] || { mvt_show "$1"; mvt_fail "minivmm exit code $2 ($1)"; }
	mvt_expect_done "$1"
}
