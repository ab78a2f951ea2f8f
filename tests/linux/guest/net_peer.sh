#!/bin/sh
# SPDX-License-Identifier: MIT
# Two guests on one bridge.  mvt.role=server: ping mvt.peer=, then serve a
# file of mvt.mib= MiB on port 6000 for up to mvt.serve_s= seconds.
# mvt.role=client: ping the server, fetch the file.  Facts: ping, file_sha.
. "$(dirname "$0")/net_common.sh"

net_config || exit 1
peer=$(net_arg peer) || { echo "MVT-ERR no mvt.peer="; exit 1; }
role=$(net_arg role) || { echo "MVT-ERR no mvt.role="; exit 1; }
mib=$(net_arg mib) || mib=16
# The other guest may still be booting: net_wait_ping waits 30 s, twice.
net_wait_ping "$peer" || net_wait_ping "$peer" ||
	{ echo "MVT ping=fail"; exit 1; }
echo "MVT ping=ok"

case $role in
server)
	dd if=/dev/urandom of=/tmp/f bs=1M count="$mib" 2>/dev/null || exit 1
	echo "MVT file_sha=$(net_sha /tmp/f)"
	# mvt.serve_s=: how long the whole transfer may take (the case
	# derives it from the VM's time limit); it only ends a server whose
	# client never comes before that limit ends the VM.
	serve_s=$(net_arg serve_s) || serve_s=120
	timeout "$serve_s" nc -l -p 6000 </tmp/f >/dev/null ||
		{ echo "MVT serve=fail"; exit 1; }
	echo "MVT serve=done"
	;;
client)
	net_fetch /tmp/f "$peer" 6000 || { echo "MVT fetch=fail"; exit 1; }
	echo "MVT file_bytes=$(wc -c </tmp/f)"
	echo "MVT file_sha=$(net_sha /tmp/f)"
	;;
*)
	echo "MVT-ERR unknown role $role"
	exit 1
	;;
esac
