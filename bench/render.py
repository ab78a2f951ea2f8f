#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/render.py RESULTS.json [--out FILE] [--charts DIR] [--hw-guide]
bench/render.py --hw-guide --out docs/benchmarks-hw.md   (no run recorded)
bench/render.py RESULTS.json --add-disk DISK.json --where TEXT [--out FILE]

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


def add_disk(results: str, disk_json: str, where: str) -> None:
    """Adds a --disk-only run (section e2) to a full run's RESULTS file:
    its series, commands, notes and failures replace that section's, its
    round counts, date and host go to meta["disk_formats"]."""
    r, d = Results.load(results), Results.load(disk_json)
    for store in ("series", "commands"):
        kept = {k: v for k, v in getattr(r, store).items() if not k.startswith("blk-")}
        kept.update({k: v for k, v in getattr(d, store).items() if k.startswith("blk-")})
        setattr(r, store, kept)
    r.notes.pop("disk", None)
    if "disk" in d.notes:
        r.notes["disk"] = d.notes["disk"]
    r.failures = [f for f in r.failures if not f.split(" ")[1:2] or
                  not f.split(" ")[1].startswith("blk-")]
    r.failures += [f for f in d.failures if f.split(" ")[1:2] and
                   f.split(" ")[1].startswith("blk-")]
    for k in ("disk_runs", "disk_n"):
        r.meta.setdefault("params", {})[k] = d.meta["params"][k]
    r.meta["disk_formats"] = {"date": d.meta.get("date"), "where": where,
                              "qemu_accel": d.meta.get("qemu_accel"),
                              "load": [d.meta.get("load_start"), d.meta.get("load_end")]}
    r.save(results)


def main(argv) -> int:
    p = argparse.ArgumentParser(description="render benchmark results (JSON) as Markdown")
    p.add_argument("results", nargs="?")
    p.add_argument("--out", help="the document (default: RESULTS with .md)")
    p.add_argument("--charts", help="the charts' folder (default: charts/ beside the "
                   "document; 'none': no charts)")
    p.add_argument("--hw-guide", action="store_true",
                   help="a hardware-KVM run (or none) as docs/benchmarks-hw.md: the guide, "
                   "then the run")
    p.add_argument("--add-disk", metavar="DISK.json",
                   help="first add a --disk-only run's section e2 to RESULTS.json")
    p.add_argument("--where", default="", help="with --add-disk: where it was measured")
    a = p.parse_args(argv)
    if a.add_disk:
        if not a.results:
            p.error("--add-disk needs RESULTS.json")
        add_disk(a.results, a.add_disk, a.where)
    if not a.results and not (a.hw_guide and a.out):
        p.error("RESULTS.json is needed (or --hw-guide with --out)")
    out = a.out or os.path.splitext(a.results)[0] + ".md"
    ch = a.charts or os.path.join(os.path.dirname(os.path.abspath(out)), "charts")
    render_file(a.results, out, None if ch == "none" else ch, hw_guide=a.hw_guide)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
