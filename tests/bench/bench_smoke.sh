#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/bench.sh --quick runs end to end (its own build, every section
# this host can run) and bench/check.py finds a number in every row it
# must fill, in the run's results (JSON); the document rendered from them
# has its sections.  The numbers themselves are not judged here
# (docs/benchmarks.md is the full run).
# timeout: 600
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/bench.md" ] && cat "$work/bench.md"; exit 1; }

[ -c /dev/kvm ] || { echo "SKIP: no /dev/kvm"; exit 77; }
BUILD_DIR=${BENCH_SMOKE_BUILD:-$work/build} "$top/scripts/bench.sh" --quick --no-hw \
	--no-install --out "$work/bench.md" --json "$work/bench.json" --charts "$work/charts" \
	>"$work/log" 2>&1 || { cat "$work/log"; fail "bench.sh --quick failed"; }
python3 "$top/bench/check.py" "$work/bench.json" || fail "bench/check.py: rows without numbers"
for h in '^## Summary' '^## a) Start-up' '^## b) Memory overhead' '^## c) Start rate' \
	 '^## d) Binary size' '^## e) Device cost: virtio-blk' '^## e2) Disk formats' '^## f) Device cost: virtio-net' \
	 '^## Netboot' '^## Hardware-KVM-only benchmarks' '^Start-up target'; do
	grep -q "$h" "$work/bench.md" || fail "the document has no '$h'"
done
echo "PASS: bench.sh --quick filled every section this host supports"
