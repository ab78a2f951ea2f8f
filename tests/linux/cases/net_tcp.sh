#!/bin/bash
# SPDX-License-Identifier: MIT
# 64 MiB of random bytes cross TCP (busybox nc) guest -> host and
# host -> guest over the bridge; SHA-256 equal both ways.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/net_common.bash"
MIB=${MVT_NET_MIB:-64}

net_ns tcp
ns=$NET_NS
net_bridge "$ns" br0 10.0.2.2/24
head -c $((MIB << 20)) /dev/urandom >"$WORKDIR/h2g.bin"
h2g_sha=$(sha256sum "$WORKDIR/h2g.bin" | cut -d' ' -f1)

# guest -> host: the receiver's stdin stays open (busybox nc ends the
# connection when its own stdin ends); fd 7 holds the FIFO.
mkfifo "$WORKDIR/hold"
ip netns exec "$ns" timeout 900 busybox nc -l -p 5001 \
	<"$WORKDIR/hold" >"$WORKDIR/g2h.bin" &
g2h_pid=$!
net_bg $g2h_pid
exec 7>"$WORKDIR/hold"
# host -> guest
ip netns exec "$ns" timeout 900 busybox nc -l -p 5002 \
	<"$WORKDIR/h2g.bin" >/dev/null &
h2g_pid=$!
net_bg $h2g_pid

log=$WORKDIR/tcp.log
MINIVMM=$(net_minivmm "$ns") MVT_LOG=$log MVT_MEM=512 \
	MVT_TIMEOUT=${MVT_TIMEOUT_TCP:-300} \
	MVT_APPEND="mvt.ip=10.0.2.15/24 mvt.peer=10.0.2.2 mvt.mib=$MIB" \
	mvt_boot net_tcp -tap mvtap0,bridge=br0 -stats
rc=$?
exec 7>&-
net_check_boot "$log" $rc
net_wait_pid $g2h_pid 10 || mvt_fail "host nc (guest -> host) did not finish"

g2h_want=$(mvt_fact "$log" g2h_sha)
g2h_got=$(sha256sum "$WORKDIR/g2h.bin" | cut -d' ' -f1)
[ -n "$g2h_want" ] && [ "$g2h_want" = "$g2h_got" ] ||
	{ mvt_show "$log"; mvt_fail "guest -> host: sent $g2h_want, got $g2h_got ($(stat -c %s "$WORKDIR/g2h.bin") bytes)"; }
mvt_expect_fact "$log" h2g_bytes $((MIB << 20))
mvt_expect_fact "$log" h2g_sha "$h2g_sha"
grep -q '^net mvtap0: rx packets=' <(tr -d '\r' <"$log") ||
	{ mvt_show "$log"; mvt_fail "no -stats line for mvtap0"; }
net_expect_no_link "$ns" mvtap0
echo "$MIB MiB guest -> host in $(mvt_fact "$log" g2h_seconds) s," \
	"host -> guest in $(mvt_fact "$log" h2g_seconds) s, SHA-256 equal"
tr -d '\r' <"$log" | grep '^net mvtap0:'
