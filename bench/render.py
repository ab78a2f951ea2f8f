#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/render.py RESULTS.json [--out FILE] [--charts DIR] [--hw-guide]
bench/render.py --hw-guide --out docs/benchmarks-hw.md   (no run recorded)
bench/render.py RESULTS.json --section disk [--out FILE]   (section e2 alone)

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


def render_text(r: Results, charts_rel, made: set, source: str, hw_guide: bool) -> str:
    if r.kind == "hw":
        return render_hw.render(r, source, hw_guide)
    return render_main.render(r, charts_rel, made, source)


def render_file(json_path: str, out: str, charts_dir, source=None, hw_guide=False) -> None:
    """JSON_PATH's document to OUT (and its charts to CHARTS_DIR); HW_GUIDE:
    a hardware-KVM run as docs/benchmarks-hw.md (the guide, then the run)."""
    if json_path is None:
        text = render_hw.render(None, "", True)
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        return
    r = Results.load(json_path)
    made, rel = set(), None
    if charts_dir and r.kind == "main":
        made = charts.draw_all(r, charts_dir)
        rel = os.path.relpath(os.path.abspath(charts_dir),
                              os.path.dirname(os.path.abspath(out)))
    text = render_text(r, rel, made, source or source_of(json_path, out), hw_guide)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


def render_disk_section(json_path: str, out) -> None:
    """Section e2) alone, from a --disk-only run (or a full one), for
    docs/benchmarks.md when it was measured apart from the rest."""
    r = Results.load(json_path)
    d = render_main.Doc()
    render_main.disk(d, r, source_of(json_path, out) if out else json_path)
    text = d.text()
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


def main(argv) -> int:
    p = argparse.ArgumentParser(description="render benchmark results (JSON) as Markdown")
    p.add_argument("results", nargs="?")
    p.add_argument("--out", help="the document (default: RESULTS with .md)")
    p.add_argument("--charts", help="the charts' folder (default: charts/ beside the "
                   "document; 'none': no charts)")
    p.add_argument("--hw-guide", action="store_true",
                   help="a hardware-KVM run (or none) as docs/benchmarks-hw.md: the guide, "
                   "then the run")
    p.add_argument("--section", choices=["disk"],
                   help="only this section (disk: e2, e.g. of a --disk-only run), to --out "
                   "or standard output")
    a = p.parse_args(argv)
    if a.section:
        if not a.results:
            p.error("--section needs RESULTS.json")
        render_disk_section(a.results, a.out)
        return 0
    if not a.results and not (a.hw_guide and a.out):
        p.error("RESULTS.json is needed (or --hw-guide with --out)")
    out = a.out or os.path.splitext(a.results)[0] + ".md"
    ch = a.charts or os.path.join(os.path.dirname(os.path.abspath(out)), "charts")
    render_file(a.results, out, None if ch == "none" else ch, hw_guide=a.hw_guide)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
