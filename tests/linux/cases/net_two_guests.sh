#!/bin/bash
# SPDX-License-Identifier: MIT
# Two minivmm guests on one bridge ping each other and move a file over
# TCP (the server guest sends, the client guest fetches); SHA-256 equal.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/net_common.bash"

net_ns two
ns=$NET_NS
net_bridge "$ns" br0 10.0.2.2/24
wrapper=$(net_minivmm "$ns")

# Two guests at once share L1's two emulated CPUs in the nested harness:
# give them time.
export MVT_TIMEOUT=${MVT_TIMEOUT_TWO:-300}
# The server's own limit for the transfer: the VM's, less boot, ping and
# making the file (a minute at most).  A fixed 120 s cut a 16 MiB transfer
# at 14 MiB in an L1 where the same case had taken 53-71 s (2026-12-04).
serve_s=$((MVT_TIMEOUT - 60))
MINIVMM=$wrapper MVT_LOG=$WORKDIR/a.log MVT_MEM=256 \
	MVT_APPEND="mvt.ip=10.0.2.15/24 mvt.peer=10.0.2.16 mvt.role=server mvt.mib=16 mvt.serve_s=$serve_s" \
	mvt_boot net_peer -tap mvtapa,bridge=br0 &
a_pid=$!
net_bg $a_pid
MINIVMM=$wrapper MVT_LOG=$WORKDIR/b.log MVT_MEM=256 \
	MVT_APPEND="mvt.ip=10.0.2.16/24 mvt.peer=10.0.2.15 mvt.role=client" \
	mvt_boot net_peer -tap mvtapb,bridge=br0 &
b_pid=$!
net_bg $b_pid
wait $a_pid
a_rc=$?
wait $b_pid
b_rc=$?
# One guest's failure is often the other's doing: show both logs.
two_guests_show() { mvt_show "$WORKDIR/b.log"; mvt_show "$WORKDIR/a.log"; }
trap 'rc=$?; [ $rc -ne 0 ] && two_guests_show; net_cleanup; exit $rc' EXIT
net_check_boot "$WORKDIR/a.log" $a_rc
net_check_boot "$WORKDIR/b.log" $b_rc
mvt_expect_fact "$WORKDIR/a.log" ping ok
mvt_expect_fact "$WORKDIR/b.log" ping ok
sha=$(mvt_fact "$WORKDIR/a.log" file_sha)
[ -n "$sha" ] || { mvt_show "$WORKDIR/a.log"; mvt_fail "server printed no file_sha"; }
mvt_expect_fact "$WORKDIR/b.log" file_sha "$sha"
mvt_expect_fact "$WORKDIR/b.log" file_bytes $((16 << 20))
mac_a=$(mvt_fact "$WORKDIR/a.log" mac)
mac_b=$(mvt_fact "$WORKDIR/b.log" mac)
[ "$mac_a" != "$mac_b" ] || mvt_fail "both guests have MAC $mac_a"
net_expect_no_link "$ns" mvtapa
net_expect_no_link "$ns" mvtapb
echo "guests $mac_a and $mac_b pinged each other and moved 16 MiB (sha $sha)"
