# SPDX-License-Identifier: MIT
"""The statistics every table uses: runs, min, median, max of a series,
ratios of medians and the per-request cost of a device (difference of the
medians with N and with 0 requests).  Pure functions of numbers, so the
unit tests (bench/tests/test_stats.py) pin them down."""

import math
import statistics
from typing import NamedTuple, Optional, Sequence

Number = Optional[float]


class Summary(NamedTuple):
    n: int
    min: float
    median: float
    max: float


def is_number(x) -> bool:
    """A real, finite number (bool is not one)."""
    return (isinstance(x, (int, float)) and not isinstance(x, bool)
            and math.isfinite(x))


def summary(values: Sequence[float]) -> Optional[Summary]:
    """runs, min, median (mean of the middle two for an even count), max;
    None for no values."""
    v = sorted(x for x in values if is_number(x))
    if not v:
        return None
    return Summary(len(v), v[0], statistics.median(v), v[-1])


def median(values: Sequence[float]) -> Number:
    s = summary(values)
    return s.median if s else None


def ratio(a: Number, b: Number) -> Number:
    """a / b, or None when either is missing or b is 0."""
    if not is_number(a) or not is_number(b) or b == 0:
        return None
    return a / b


def difference(a: Number, b: Number) -> Number:
    if not is_number(a) or not is_number(b):
        return None
    return a - b


def per_request(with_n: Sequence[float], with_0: Sequence[float], n: int,
                scale: float = 1.0) -> Number:
    """(median with n requests - median with 0) * scale / n: what one
    request costs once the VMM's own start and stop are taken out."""
    if n <= 0:
        return None
    d = difference(median(with_n), median(with_0))
    return None if d is None else d * scale / n


def fmt(x: Number, decimals: int = 1) -> str:
    """x with DECIMALS decimals, "-" when it is not a number."""
    return f"{x:.{decimals}f}" if is_number(x) else "-"


def fmt_g(x: Number) -> str:
    """x in at most 6 significant digits (integers stay integers), "-"
    when missing: the form of counts such as KiB."""
    return f"{x:.6g}" if is_number(x) else "-"
