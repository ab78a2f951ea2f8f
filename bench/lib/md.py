# SPDX-License-Identifier: MIT
"""Markdown building blocks and the cells every table shares."""

from typing import List, Optional, Sequence

from .results import Results
from .stats import fmt, is_number, median, ratio, summary

LABELS = {"floor": "floor (bench/floor.c)", "minivmm": "minivmm",
          "minivmm-off": "minivmm, guest off at entry (benchguest-off)",
          "qemu-microvm": "QEMU microvm", "qemu-microvm-tuned": "QEMU microvm, tuned",
          "qemu-q35": "QEMU q35"}
CONTENDERS = ("floor", "minivmm", "minivmm-off", "qemu-microvm", "qemu-microvm-tuned", "qemu-q35")


def label(name: str) -> str:
    return LABELS.get(name, name)


class Doc:
    def __init__(self):
        self.lines: List[str] = []

    def __call__(self, *lines: str) -> None:
        """Lines of text (none: an empty line)."""
        self.lines.extend(lines if lines else [""])

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        for i, row in enumerate([header, *rows]):
            self.lines.append("|" + "|".join(f" {c} " if c else " " for c in row) + "|")
            if i == 0:
                self.lines.append("|" + "---|" * len(header))

    def code(self, lines: Sequence[str]) -> None:
        self.lines += ["```", *lines, "```"]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def stat_cells(values: Sequence[float], base: Optional[float], decimals: int = 1) -> List[str]:
    """runs, min, median, max, ratio of the median to BASE."""
    s = summary(values)
    if not s:
        return ["0", "-", "-", "-", "-"]
    return [str(s.n), fmt(s.min, decimals), fmt(s.median, decimals), fmt(s.max, decimals),
            fmt(ratio(s.median, base), 2)]


def stat_cells_noratio(values: Sequence[float], decimals: int = 1) -> List[str]:
    return stat_cells(values, None, decimals)[:4]


def med(r: Results, key: str) -> Optional[float]:
    return median(r.get(key))


def cell(x, decimals: int = 1) -> str:
    """A value for a table cell: numbers with DECIMALS, text as is, "-"
    for nothing."""
    if is_number(x):
        return fmt(x, decimals)
    return "-" if x is None or x == "" else str(x)
