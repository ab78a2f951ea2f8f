#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# netns.sh - the private network namespaces of the benchmarks
# (../shared/testnet.md: no traffic outside namespaces the run creates).
# Each command leaves nothing behind when it fails.
#
#   netns.sh lan NS ADDR        NS with a bridge br0 holding ADDR/24 and the
#                               guest's TAP tap0 on it
#   netns.sh client NS NS2 ADDR NS2 with ADDR/24 on a veth whose peer is on
#                               NS's bridge (a host-side client)
#   netns.sh devnet NS NS2      the virtio-net device-cost network: NS with a
#                               bridge, TAPs tap0 (minivmm), tapq (QEMU), tapf
#                               (the floor) and a veth to the peer NS2, which
#                               drops the guest's frames; no addresses, no IPv6
#   netns.sh del NS...          delete (absent ones are fine)
set -uo pipefail

cmd=${1:-}
shift || true

lan()
{
	ip -n "$1" link set lo up &&
	ip -n "$1" link add br0 type bridge &&
	ip -n "$1" addr add "$2/24" dev br0 &&
	ip -n "$1" link set br0 up &&
	ip -n "$1" tuntap add tap0 mode tap &&
	ip -n "$1" link set tap0 master br0 &&
	ip -n "$1" link set tap0 up
}

client()
{
	ip -n "$1" link add vc0 type veth peer name vc1 netns "$2" &&
	ip -n "$1" link set vc0 master br0 &&
	ip -n "$1" link set vc0 up &&
	ip -n "$2" link set lo up &&
	ip -n "$2" addr add "$3/24" dev vc1 &&
	ip -n "$2" link set vc1 up
}

devnet()
{
	local ns t
	for ns in "$1" "$2"; do
		ip netns exec "$ns" sh -c 'for c in all default; do
			echo 1 >/proc/sys/net/ipv6/conf/$c/disable_ipv6; done' 2>/dev/null || true
		ip -n "$ns" link set lo up || return
	done
	ip -n "$1" link add br0 type bridge &&
	ip -n "$1" link set br0 up || return
	for t in tap0 tapq tapf; do
		ip -n "$1" tuntap add "$t" mode tap &&
		ip -n "$1" link set "$t" master br0 &&
		ip -n "$1" link set "$t" up || return
	done
	ip -n "$1" link add vp0 type veth peer name vp1 netns "$2" &&
	ip -n "$1" link set vp0 master br0 &&
	ip -n "$1" link set vp0 up &&
	ip -n "$2" link set vp1 up
}

case $cmd in
lan)
	[ $# -eq 2 ] || exit 2
	ip netns add "$1" || exit 1
	lan "$@" || { ip netns del "$1"; exit 1; } ;;
client)
	[ $# -eq 3 ] || exit 2
	ip netns add "$2" || exit 1
	client "$@" || { ip netns del "$2"; exit 1; } ;;
devnet)
	[ $# -eq 2 ] || exit 2
	ip netns add "$1" || exit 1
	ip netns add "$2" || { ip netns del "$1"; exit 1; }
	devnet "$@" || { ip netns del "$2"; ip netns del "$1"; exit 1; } ;;
del)
	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null
	done
	exit 0 ;;
*)
	sed -n '3,17p' "$0" >&2
	exit 2 ;;
esac
