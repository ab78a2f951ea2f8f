# SPDX-License-Identifier: MIT
"""docs/charts/*.png: bar charts (median, min-max error bars) drawn by
gnuplot from a run's results.  No gnuplot: no charts, and the document
leaves the images out."""

import os
import shutil
import subprocess
from typing import List, Sequence, Tuple

from .md import CONTENDERS
from .results import Results
from .stats import summary

SHORT = {"minivmm-off": "minivmm, off at entry", "qemu-microvm": "QEMU microvm", "qemu-microvm-tuned": "microvm tuned",
         "qemu-q35": "QEMU q35"}

Bar = Tuple[str, float, float, float]   # label, min, median, max


def bars(r: Results, key: str, names: Sequence[str], scale: float = 1.0) -> List[Bar]:
    out = []
    for n in names:
        s = summary(r.get(key.format(n)))
        if s:
            out.append((SHORT.get(n, n), s.min * scale, s.median * scale, s.max * scale))
    return out


def rate_bars(r: Results) -> List[Bar]:
    """The start rate: all cycles / all seconds, the slices' spread."""
    out = []
    for n in CONTENDERS:
        rt = r.values.get(f"rate.{n}.rate")
        if rt is None:
            continue
        s = summary(r.get(f"rate.{n}.slice"))
        out.append((SHORT.get(n, n), s.min if s else rt, rt, s.max if s else rt))
    return out


def gnuplot_script(png: str, title: str, ylabel: str, data: str, log: bool) -> str:
    scale = "set logscale y; set yrange [1:*]" if log else "set yrange [0:*]"
    return f"""set terminal png size 900,420
set output "{png}"
set title "{title}"
set ylabel "{ylabel}"
set style fill solid 0.6 border -1
set boxwidth 0.6
{scale}
set grid ytics
set xtics noenhanced
unset key
plot "{data}" using 0:3:xtic(1) with boxes lc rgb "#4a7ebb", \\
     "" using 0:3:2:4 with yerrorbars lc rgb "black" pt 0, \\
     "" using 0:3:(sprintf("%.1f", $3)) with labels offset 2.5,0.7
"""


def chart(png: str, title: str, ylabel: str, data: List[Bar], log: bool = False) -> bool:
    if not data or not shutil.which("gnuplot"):
        return False
    dat = png + ".dat"
    with open(dat, "w") as f:
        for lab, mn, md, mx in data:
            f.write(f'"{lab}" {mn:.6g} {md:.6g} {mx:.6g}\n')
    try:
        p = subprocess.run(["gnuplot"], input=gnuplot_script(png, title, ylabel, dat, log),
                           text=True, stderr=subprocess.DEVNULL)
    finally:
        os.unlink(dat)
    return p.returncode == 0 and os.path.exists(png)


def draw_all(r: Results, out_dir: str) -> set:
    """The charts this run has data for; returns the names drawn."""
    os.makedirs(out_dir, exist_ok=True)
    jobs = [
        ("startup-first-byte.png", "exec -> first serial byte (median, min-max; log scale)", "ms",
         bars(r, "start.{}.first", CONTENDERS), True),
        ("startup-exit.png", "exec -> exit, guest powers off at once (median, min-max; log scale)",
         "ms", bars(r, "start.{}.exit", CONTENDERS), True),
        ("memory-overhead.png", "VMM memory overhead: RSS minus touched guest RAM, guest idle",
         "MiB", bars(r, "mem.{}.overhead_kb", ("minivmm", "qemu-microvm", "qemu-q35"), 1 / 1024),
         False),
        ("start-rate.png", "sequential start -> power-off cycles per second (all slices; "
         "min-max of the slices)", "cycles/s", rate_bars(r), False),
    ]
    made = set()
    for name, title, ylabel, data, log in jobs:
        if chart(os.path.join(out_dir, name), title, ylabel, data, log):
            made.add(name)
    return made
