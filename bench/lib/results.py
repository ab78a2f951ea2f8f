# SPDX-License-Identifier: MIT
"""One run's results: what the measurement saw, nothing about how it is
shown.  Saved as one JSON file per run (schema below); render.py reads
only this.

{
  "schema": 1,
  "kind": "main" | "hw",        main: sections a-f, netboot and the hw part
  "meta": {...},                host, versions, options, round counts
  "series": {"KEY": [number, ...]},   one value per run, in run order
  "values": {"KEY": number | string}, single facts (sizes, rates)
  "commands": {"KEY": "command line"},
  "notes": {"KEY": "why a section is skipped or partial"},
  "failures": ["one failed run, left out of the statistics", ...]
}
"""

import json
import math
from typing import Dict, List, Optional

SCHEMA = 1


class Results:
    def __init__(self, kind: str = "main"):
        self.kind = kind
        self.meta: Dict[str, object] = {}
        self.series: Dict[str, List[float]] = {}
        self.values: Dict[str, object] = {}
        self.commands: Dict[str, str] = {}
        self.notes: Dict[str, str] = {}
        self.failures: List[str] = []

    def add(self, key: str, value: float) -> None:
        """One run's number for series KEY (NaN and inf are refused:
        JSON has no spelling for them)."""
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{key}: {value} is not a finite number")
        self.series.setdefault(key, []).append(v)

    def get(self, key: str) -> List[float]:
        return self.series.get(key, [])

    def has(self, key: str) -> bool:
        return bool(self.series.get(key))

    def fail(self, line: str) -> None:
        self.failures.append(line)

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "kind": self.kind, "meta": self.meta,
                "series": self.series, "values": self.values,
                "commands": self.commands, "notes": self.notes,
                "failures": self.failures}

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, indent=1, sort_keys=True)
            f.write("\n")

    @classmethod
    def from_dict(cls, d: dict) -> "Results":
        if d.get("schema") != SCHEMA:
            raise ValueError(f"results schema {d.get('schema')!r}, "
                             f"this renderer reads {SCHEMA}")
        r = cls(d.get("kind", "main"))
        r.meta = dict(d.get("meta", {}))
        r.series = {k: [float(x) for x in v]
                    for k, v in d.get("series", {}).items()}
        r.values = dict(d.get("values", {}))
        r.commands = dict(d.get("commands", {}))
        r.notes = dict(d.get("notes", {}))
        r.failures = list(d.get("failures", []))
        return r

    @classmethod
    def load(cls, path: str) -> "Results":
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))


def value(r: Results, key: str, default=None):
    v = r.values.get(key)
    return default if v is None else v


def opt_float(x) -> Optional[float]:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None
