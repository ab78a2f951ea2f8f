#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/bench.sh --quick runs end to end (its own build, every section
# this host can run) and every row it must fill has numbers; the numbers
# themselves are not judged here (docs/benchmarks.md is the full run).
# timeout: 600
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/bench.md" ] && cat "$work/bench.md"; exit 1; }

[ -c /dev/kvm ] || { echo "SKIP: no /dev/kvm"; exit 77; }
BUILD_DIR=${BENCH_SMOKE_BUILD:-$work/build} "$top/scripts/bench.sh" --quick --no-hw \
	--no-install --out "$work/bench.md" --charts "$work/charts" \
	>"$work/log" 2>&1 || { cat "$work/log"; fail "bench.sh --quick failed"; }
md=$work/bench.md

# row LABEL: the summary row's minivmm cell (column 3) is a number
row() {
	local v
	v=$(grep -F "| $1 |" "$md" | head -n 1 | awk -F'|' '{ gsub(/ /, "", $4); print $4 }')
	# a sign too: a one-run difference of CPU times can dip below zero
	[[ "$v" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || fail "summary row '$1': minivmm cell '$v'"
	echo "ok: $1 = $v"
}
row "exec -> first serial byte, ms"
row "exec -> exit (power-off at once), ms"
row "memory overhead, KiB"
row "start -> power-off cycles/s"
row "binary, stripped, bytes"
row "virtio-blk: host CPU outside the vCPU per 4 KiB read, us"
row "virtio-net: host CPU outside the vCPU per frame, us"
grep -q '^| VM exits per TFTP block' "$md" || fail "no netboot exits-per-block row"
grep -q '^Start-up target' "$md" || fail "no start-up target line"
echo "PASS: bench.sh --quick filled every section this host supports"
