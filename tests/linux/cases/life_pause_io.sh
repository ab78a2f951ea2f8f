#!/bin/bash
# SPDX-License-Identifier: MIT
# Pause and resume lose nothing: while the guest reads its whole disk
# (SHA-256, twice) and sends and receives a TCP stream (busybox nc over a
# bridge in a namespace), the host pauses and resumes it every half
# second (`minivmm ctl NAME pause|resume`, QMP stop/cont).  Every
# checksum comes out right and the guest finishes normally.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/net_common.bash"
MIB=${MVT_NET_MIB:-16}
export MINIVMM_RUNTIME_DIR=$WORKDIR/run
name=l3-pause-$$

net_ns pause
ns=$NET_NS
net_bridge "$ns" br0 10.0.2.2/24
head -c $((MIB << 20)) /dev/urandom >"$WORKDIR/h2g.bin"
h2g_sha=$(sha256sum "$WORKDIR/h2g.bin" | cut -d' ' -f1)
head -c $((32 << 20)) /dev/urandom >"$WORKDIR/disk.img"
disk_sha=$(sha256sum "$WORKDIR/disk.img" | cut -d' ' -f1)

mkfifo "$WORKDIR/hold"
ip netns exec "$ns" timeout 900 busybox nc -l -p 5001 \
	<"$WORKDIR/hold" >"$WORKDIR/g2h.bin" &
g2h_pid=$!
net_bg $g2h_pid
exec 7>"$WORKDIR/hold"
ip netns exec "$ns" timeout 900 busybox nc -l -p 5002 \
	<"$WORKDIR/h2g.bin" >/dev/null &
h2g_pid=$!
net_bg $h2g_pid

# The pauser: from the moment the VM answers until it is gone (or, if it
# never answers, until the boot is over: $WORKDIR/booted).
(
	n=0
	while [ ! -e "$WORKDIR/booted" ]; do
		"$MINIVMM" ctl "$name" pause >/dev/null 2>&1 || { [ $n -gt 0 ] && break; sleep 0.5; continue; }
		n=$((n + 1))
		sleep 0.5
		"$MINIVMM" ctl "$name" resume >/dev/null 2>&1 || break
		sleep 0.5
	done
	echo "$n" >"$WORKDIR/pauses"
) &
pauser=$!

log=$WORKDIR/pause_io.log
MINIVMM=$(net_minivmm "$ns") MVT_LOG=$log MVT_MEM=512 \
	MVT_TIMEOUT=${MVT_TIMEOUT_TCP:-300} \
	MVT_APPEND="mvt.ip=10.0.2.15/24 mvt.peer=10.0.2.2 mvt.mib=$MIB" \
	mvt_boot life_pause_io -name "$name" -tap mvtap0,bridge=br0 \
		-drive "file=$WORKDIR/disk.img,format=raw,readonly=on"
rc=$?
touch "$WORKDIR/booted"
exec 7>&-
wait "$pauser"
net_check_boot "$log" $rc
net_wait_pid $g2h_pid 10 || mvt_fail "host nc (guest -> host) did not finish"
pauses=$(cat "$WORKDIR/pauses")
[ "${pauses:-0}" -ge 5 ] || { mvt_show "$log"; mvt_fail "only ${pauses:-0} pauses happened during the I/O"; }
mvt_expect_fact "$log" vda_sha256 "$disk_sha"
mvt_expect_fact "$log" vda_sha256_again "$disk_sha"
g2h_want=$(mvt_fact "$log" g2h_sha)
g2h_got=$(sha256sum "$WORKDIR/g2h.bin" | cut -d' ' -f1)
[ -n "$g2h_want" ] && [ "$g2h_want" = "$g2h_got" ] ||
	{ mvt_show "$log"; mvt_fail "guest -> host: sent $g2h_want, got $g2h_got"; }
mvt_expect_fact "$log" h2g_bytes $((MIB << 20))
mvt_expect_fact "$log" h2g_sha "$h2g_sha"
echo "$pauses pauses during disk and TCP I/O: disk, $MIB MiB each way, all SHA-256 equal"
