#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/render.py RESULTS.json [--out FILE] [--charts DIR]

The one renderer of the benchmark documents: reads one run's results
(written by bench/run.py) and writes docs/benchmarks.md (a full run) or
the hardware-KVM document (a --hw-only / --nested run), and for a full
run the charts (gnuplot).  Measurement never formats; this never
measures, so a renderer change is checked by rendering a stored JSON
again (docs/benchmarks.json) instead of running the benchmarks."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lib import charts, render_hw, render_main  # noqa: E402
from lib.results import Results  # noqa: E402


def source_of(json_path: str, out_path: str) -> str:
    """How the document names its results file: relative to the document."""
    rel = os.path.relpath(os.path.abspath(json_path),
                          os.path.dirname(os.path.abspath(out_path)))
    return f"results: `{rel}`"


def render_text(r: Results, charts_rel, made: set, source: str) -> str:
    if r.kind == "hw":
        return render_hw.render(r, source)
    return render_main.render(r, charts_rel, made, source)


def render_file(json_path: str, out: str, charts_dir, source=None) -> None:
    r = Results.load(json_path)
    made, rel = set(), None
    if charts_dir and r.kind == "main":
        made = charts.draw_all(r, charts_dir)
        rel = os.path.relpath(os.path.abspath(charts_dir),
                              os.path.dirname(os.path.abspath(out)))
    text = render_text(r, rel, made, source or source_of(json_path, out))
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv) -> int:
    p = argparse.ArgumentParser(description="render benchmark results (JSON) as Markdown")
    p.add_argument("results")
    p.add_argument("--out", help="the document (default: RESULTS with .md)")
    p.add_argument("--charts", help="the charts' folder (default: charts/ beside the "
                   "document; 'none': no charts)")
    a = p.parse_args(argv)
    out = a.out or os.path.splitext(a.results)[0] + ".md"
    ch = a.charts or os.path.join(os.path.dirname(os.path.abspath(out)), "charts")
    render_file(a.results, out, None if ch == "none" else ch)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
