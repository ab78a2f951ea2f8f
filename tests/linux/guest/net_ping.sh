#!/bin/sh
# SPDX-License-Identifier: MIT
# One NIC: configure it from mvt.ip=, ping mvt.peer= (the bridge address).
# Facts: if, mac, link, ping=ok|fail.
. "$(dirname "$0")/net_common.sh"

net_config || exit 1
peer=$(net_arg peer) || { echo "MVT-ERR no mvt.peer="; exit 1; }
if net_wait_ping "$peer"; then
	echo "MVT ping=ok"
else
	echo "MVT ping=fail"
	ip addr
	ip route
	exit 1
fi
