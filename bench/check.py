#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/check.py RESULTS.json - the benchmark smoke test's judge: the run
filled every row this host supports.  Checks the results, not the
document: each series is a list of numbers; each summary row of the
document has a number in its minivmm cell (the summary is computed from
the results by the renderer's own code); the start-up, memory, rate and
device-cost series every host fills are there; the netboot series when
the section ran.  The numbers themselves are not judged (a --quick run
on a shared host is noise).  Exit 0: pass, 1: a row is missing."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lib.render_main import summary_rows  # noqa: E402
from lib.results import Results  # noqa: E402
from lib.stats import is_number  # noqa: E402

NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

# summary rows every host with any KVM fills (QEMU rows only when QEMU ran)
SUMMARY = ("exec -> first serial byte, ms", "exec -> exit (power-off at once), ms",
           "memory overhead, KiB", "start -> power-off cycles/s", "binary, stripped, bytes",
           "virtio-blk: host CPU outside the vCPU per 4 KiB read, us",
           "virtio-net: host CPU outside the vCPU per frame, us")


def problems(r: Results) -> list:
    out = []
    for k, v in r.series.items():
        if not v or not all(is_number(x) for x in v):
            out.append(f"series {k}: {v!r} is not a list of numbers")
    for k in ("start.floor.first", "start.minivmm.first", "start.minivmm.exit",
              "start.minivmm.banner", "start.minivmm-off.exit", "mem.minivmm.overhead_kb"):
        if not r.has(k):
            out.append(f"no {k} series")
    rows = {row[0]: row for row in summary_rows(r)}
    for name in SUMMARY:
        row = rows.get(name)
        # a sign too: a one-run difference of CPU times can dip below zero
        if not row or not NUMBER.match(row[2]):
            out.append(f"summary row '{name}': minivmm cell {row[2] if row else 'missing'!r}")
    if r.notes.get("netboot"):
        out.append(f"netboot: {r.notes['netboot']}")
    elif not r.has("netboot.exits_per_block"):
        out.append("no netboot exits-per-block series")
    return out


def main(argv) -> int:
    if len(argv) != 1:
        print("usage: bench/check.py RESULTS.json", file=sys.stderr)
        return 2
    r = Results.load(argv[0])
    bad = problems(r)
    for row in summary_rows(r):
        print(f"ok: {row[0]} = {row[2]}" if NUMBER.match(row[2]) else f"-: {row[0]} = {row[2]}")
    for p in bad:
        print(f"FAIL: {p}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
