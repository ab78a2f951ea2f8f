#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/compare.py A.json B.json [--all] - two runs side by side (an A/B
comparison, as Firecracker's A/B tool does with its performance tests'
stored results): for every series both runs measured, the runs, A's and
B's medians, B / A, and whether B's median lies outside A's min-max (a
change that the spread alone does not explain).  Only what moved is
listed unless --all.  Reads results files only; never measures."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lib.md import Doc  # noqa: E402
from lib.results import Results  # noqa: E402
from lib.stats import fmt, is_number, ratio, summary  # noqa: E402


def rows(a: Results, b: Results, everything: bool):
    out = []
    for key in sorted(set(a.series) & set(b.series)):
        sa, sb = summary(a.get(key)), summary(b.get(key))
        if not sa or not sb:
            continue
        outside = sb.median < sa.min or sb.median > sa.max
        if outside or everything:
            out.append([key, f"{sa.n}/{sb.n}", fmt(sa.median, 3), fmt(sb.median, 3),
                        fmt(ratio(sb.median, sa.median), 3), "yes" if outside else ""])
    for key in sorted(set(a.values) & set(b.values)):
        va, vb = a.values[key], b.values[key]
        if is_number(va) and is_number(vb) and (everything or va != vb):
            out.append([key, "1/1", fmt(va, 3), fmt(vb, 3), fmt(ratio(vb, va), 3), ""])
    return out


def render(a: Results, b: Results, everything: bool) -> str:
    d = Doc()
    d(f"A: {a.meta.get('date')}, git {a.meta.get('rev')}; "
      f"B: {b.meta.get('date')}, git {b.meta.get('rev')}", "")
    d.table(["series", "runs A/B", "median A", "median B", "B / A",
             "B outside A's min-max"], rows(a, b, everything))
    only = sorted(set(a.series) ^ set(b.series))
    if only:
        d("", "Measured in one run only: " + ", ".join(only))
    return d.text()


def main(argv) -> int:
    p = argparse.ArgumentParser(description="compare two benchmark results files")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--all", action="store_true", help="list unchanged series too")
    args = p.parse_args(argv)
    sys.stdout.write(render(Results.load(args.a), Results.load(args.b), args.all))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
