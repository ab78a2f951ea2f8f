#!/bin/sh
# SPDX-License-Identifier: MIT
# Helpers sourced by the net_* guest scripts (from the same folder);
# run on its own it only prints the network interfaces.
#
# Parameters come on the kernel command line, read from /proc/cmdline:
#   mvt.ipN=ADDR/PREFIX   address of NIC N (mvt.ip= for a single NIC)
#   mvt.macN=MAC          which NIC is N (else the first one)
#   mvt.peer=ADDR, ...    whatever the script needs (net_arg)

# net_arg KEY: the value of mvt.KEY=VALUE; fails if absent.
net_arg()
{
	local w
	for w in $(cat /proc/cmdline); do
		case $w in
		"mvt.$1="*) echo "${w#*=}"; return 0 ;;
		esac
	done
	return 1
}

# net_iface [MAC]: name of the interface with that MAC (the first
# non-loopback one without MAC).
net_iface()
{
	local d n
	for d in /sys/class/net/*; do
		n=${d##*/}
		[ "$n" = lo ] && continue
		if [ -z "$1" ] || [ "$(cat "$d/address")" = "$1" ]; then
			echo "$n"
			return 0
		fi
	done
	return 1
}

# net_config [N]: bring NIC N up with mvt.ipN, wait for carrier; prints
# "MVT ifN=", "MVT macN=", "MVT linkN=".  Sets NET_IF.
net_config()
{
	local n addr mac i
	n=${1:-}
	addr=$(net_arg "ip$n") || { echo "MVT-ERR no mvt.ip$n="; return 1; }
	mac=$(net_arg "mac$n") || mac=
	i=0
	until NET_IF=$(net_iface "$mac"); do
		i=$((i + 1))
		[ $i -le 50 ] || { echo "MVT-ERR no interface ${mac:-at all}"; return 1; }
		sleep 0.1
	done
	ip link set "$NET_IF" up || return 1
	ip addr add "$addr" dev "$NET_IF" || return 1
	echo "MVT if$n=$NET_IF"
	echo "MVT mac$n=$(cat "/sys/class/net/$NET_IF/address")"
	i=0
	while [ "$(cat "/sys/class/net/$NET_IF/carrier" 2>/dev/null)" != 1 ]; do
		i=$((i + 1))
		[ $i -le 50 ] || { echo "MVT link$n=down"; return 1; }
		sleep 0.1
	done
	echo "MVT link$n=up"
}

# net_wait_ping HOST [IFACE]: first reply within 30 s (ARP, bridge
# learning, a peer still booting), then 3 of 3 must answer.
net_wait_ping()
{
	local opt i
	opt=
	[ -n "${2:-}" ] && opt="-I $2"
	i=0
	# shellcheck disable=SC2086
	until ping -c 1 -W 1 $opt "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 30 ] || return 1
	done
	# shellcheck disable=SC2086
	ping -c 3 -W 2 $opt "$1" >/dev/null 2>&1
}

# net_recv_file OUT NC-ARGS...: nc into OUT until the sender closes.
# busybox nc ends the connection when its own stdin ends, so stdin is a
# FIFO held open until nc is done.
net_recv_file()
{
	local out fifo pid rc
	out=$1
	shift
	fifo=/tmp/net_hold.$$
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	nc "$@" <"$fifo" >"$out" &
	pid=$!
	exec 3>"$fifo"
	wait $pid
	rc=$?
	exec 3>&-
	rm -f "$fifo"
	return $rc
}

# net_fetch OUT HOST PORT: net_recv_file with retries while the server
# is not listening yet (60 s).
net_fetch()
{
	local i=0
	while [ $i -lt 60 ]; do
		net_recv_file "$1" -w 5 "$2" "$3" && [ -s "$1" ] && return 0
		i=$((i + 1))
		sleep 1
	done
	return 1
}

# net_send HOST PORT FILE: send FILE with retries while the server is not
# listening yet (60 s).
net_send()
{
	local i=0
	while [ $i -lt 60 ]; do
		nc -w 5 "$1" "$2" <"$3" && return 0
		i=$((i + 1))
		sleep 1
	done
	return 1
}

# net_sha FILE: its SHA-256 (hex).
net_sha()
{
	sha256sum "$1" | cut -d' ' -f1
}

if [ "$(basename "$0")" = net_common.sh ]; then
	ip -o link show
fi
