#!/bin/bash
# SPDX-License-Identifier: MIT
# fw_block_cost.sh PROGRAM: the netboot firmware's cost per TFTP block,
# measured on the host (tests/unit/fw_block_cost.c): instructions counted
# by valgrind's callgrind (no PMU needed), only inside tftp_get() and not
# in the fake device, for two transfer sizes; the difference over the
# blocks between them is the per-block count.  Queue notifies (VM exits)
# per block come from the program.  Fails above the budgets below, so a
# change that makes the per-block path dearer is seen (docs/netboot.md).
set -uo pipefail
prog=${1:?usage: fw_block_cost.sh PROGRAM}
command -v valgrind >/dev/null ||
	{ echo "FAIL: no valgrind (scripts/install-deps.sh installs it)"; exit 1; }

# instructions WINDOW BLOCKS: Ir collected in tftp_get, the device left out.
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--collect-atstart=no --toggle-collect=tftp_get \
		--toggle-collect=fake_device_step "$prog" "$2" "$1" 2>&1 |
		sed -n 's/^==[0-9]*== Collected : //p'
}

rc=0
# window, instruction budget per block, TX notifies per block (x1000)
for spec in "1 780 1010" "8 620 130"; do
	set -- $spec
	w=$1 budget=$2 txmax=$3
	small=$(instructions "$w" 200) big=$(instructions "$w" 1200)
	[ -n "$small" ] && [ -n "$big" ] || { echo "FAIL: window $w: no count from valgrind"; exit 1; }
	per=$(((big - small) / 1000))
	line=$("$prog" 1000 "$w") || { echo "FAIL: window $w: $line"; exit 1; }
	tx=$(echo "$line" | sed -n 's/.*tx_notifies \([0-9]*\).*/\1/p')
	rx=$(echo "$line" | sed -n 's/.*rx_notifies \([0-9]*\).*/\1/p')
	echo "window $w: $per instructions per block (budget $budget), per 1000 blocks $tx TX and at most $rx RX notifies"
	[ "$per" -le "$budget" ] || { echo "FAIL: window $w: $per instructions per block > $budget"; rc=1; }
	[ "$tx" -le "$txmax" ] || { echo "FAIL: window $w: $tx TX notifies per 1000 blocks > $txmax"; rc=1; }
	[ "$rx" -le 1000 ] || { echo "FAIL: window $w: $rx RX notifies per 1000 blocks"; rc=1; }
done
[ $rc -eq 0 ] && echo "PASS: the firmware's per-block cost is within budget"
exit $rc
