#!/bin/bash
# SPDX-License-Identifier: MIT
# One guest, two NICs (explicit MACs) on two bridges.  Each bridge is a
# separate network whose host lives in its own namespace behind a veth:
# every NIC reaches its own network's host and, forced out of the wrong
# NIC, not the other one.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/net_common.bash"

net_ns vm
ns=$NET_NS
net_ns neta
net_a=$NET_NS
net_ns netb
net_b=$NET_NS
net_bridge "$ns" br0
net_bridge "$ns" br1
ip -n "$ns" link add va type veth peer name eth0 netns "$net_a" ||
	mvt_fail "cannot create a veth pair (veth module?)"
ip -n "$ns" link add vb type veth peer name eth0 netns "$net_b"
ip -n "$ns" link set va master br0 up
ip -n "$ns" link set vb master br1 up
ip -n "$net_a" addr add 10.0.2.2/24 dev eth0
ip -n "$net_a" link set eth0 up
ip -n "$net_b" addr add 10.0.3.2/24 dev eth0
ip -n "$net_b" link set eth0 up

mac0=52:54:00:00:aa:01
mac1=52:54:00:00:bb:01
log=$WORKDIR/two_nics.log
MINIVMM=$(net_minivmm "$ns") MVT_LOG=$log \
	MVT_APPEND="mvt.mac0=$mac0 mvt.ip0=10.0.2.15/24 mvt.peer0=10.0.2.2 mvt.mac1=$mac1 mvt.ip1=10.0.3.15/24 mvt.peer1=10.0.3.2" \
	mvt_boot net_two_nics -tap mvtap0,mac=$mac0,bridge=br0 \
	-tap mvtap1,mac=$mac1,bridge=br1
net_check_boot "$log" $?
mvt_expect_fact "$log" mac0 $mac0
mvt_expect_fact "$log" mac1 $mac1
mvt_expect_fact "$log" ping0 ok
mvt_expect_fact "$log" ping1 ok
mvt_expect_fact "$log" cross01 isolated
mvt_expect_fact "$log" cross10 isolated
net_expect_no_link "$ns" mvtap0
net_expect_no_link "$ns" mvtap1
echo "$(mvt_fact "$log" if0) ($mac0) reaches only 10.0.2.0/24," \
	"$(mvt_fact "$log" if1) ($mac1) only 10.0.3.0/24"
