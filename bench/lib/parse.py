# SPDX-License-Identifier: MIT
"""Parsers of what the measured programs print: bench_stamp's "k=v" lines
and per-thread lines, minivmm's -trace-boot and -stats lines, the floor's
phase lines, the firmware's TFTP line.  Pure functions of text (unit
tests: bench/tests/test_parse.py)."""

import re
from typing import Dict, Iterable, List, Optional, Tuple


def kv(line: str) -> Dict[str, str]:
    """"a=1 b=x" -> {"a": "1", "b": "x"} (the first of a repeated key)."""
    out: Dict[str, str] = {}
    for word in line.split():
        k, sep, v = word.partition("=")
        if sep and k not in out:
            out[k] = v
    return out


def num(s: Optional[str]) -> Optional[float]:
    try:
        return float(s) if s is not None else None
    except ValueError:
        return None


def threads(text: str) -> List[Dict[str, str]]:
    """bench_stamp's "thread tid=T cpu_ms=C switches=S comm=NAME" lines."""
    return [kv(line[len("thread "):]) for line in text.splitlines()
            if line.startswith("thread ")]


def thread_sum(ths: Iterable[Dict[str, str]], pattern: str) -> Tuple[float, int]:
    """Summed cpu_ms and switches of the threads whose comm matches the
    regular expression PATTERN ("!RE": does not match)."""
    negate = pattern.startswith("!")
    rx = re.compile(pattern[1:] if negate else pattern)
    cpu, sw = 0.0, 0
    for t in ths:
        if bool(rx.search(t.get("comm", ""))) != negate:
            cpu += num(t.get("cpu_ms")) or 0.0
            sw += int(num(t.get("switches")) or 0)
    return cpu, sw


_TRACE = re.compile(r"^minivmm: trace *([0-9.]+) ms  (.*)$")
_CPU = re.compile(r"VMM CPU time user ([0-9.]+) ms, system ([0-9.]+) ms")
_FLOOR = re.compile(r"^floor: *([0-9.]+) ms  (.*)$")


def trace_phases(text: str) -> List[Tuple[str, float]]:
    """minivmm -trace-boot: (phase, ms) per "minivmm: trace T ms  PHASE"
    line, blanks in PHASE made '_' ("exit; ..." is "exit"), then
    ("cpu", user + system ms) from the CPU-time line."""
    out = []
    for line in text.splitlines():
        m = _TRACE.match(line)
        if m:
            ph = "exit" if m.group(2).startswith("exit; ") else m.group(2)
            out.append((ph.replace(" ", "_"), float(m.group(1))))
        m = _CPU.search(line)
        if m:
            out.append(("cpu", float(m.group(1)) + float(m.group(2))))
    return out


def floor_phases(text: str) -> List[Tuple[str, float]]:
    """bench_floor -v: (phase, ms) per "floor: T ms  PHASE" line, commas
    dropped and blanks made '_'."""
    out = []
    for line in text.splitlines():
        m = _FLOOR.match(line)
        if m:
            out.append((m.group(2).replace(",", "").replace(" ", "_"),
                        float(m.group(1))))
    return out


def trace_marker(text: str, marker: int) -> List[float]:
    """The -trace-boot times of "guest marker N" (21 = 0x15: the netboot
    firmware's kernel entry)."""
    rx = re.compile(rf"^minivmm: trace *([0-9.]+) ms  guest marker {marker}$")
    return [float(m.group(1)) for m in map(rx.match, text.splitlines()) if m]


_TFTP = re.compile(r": ([0-9]+) bytes in ([0-9]+) ms .*blksize ([0-9]+) ")


def tftp_line(text: str, name: str) -> Optional[Tuple[int, int, int]]:
    """The firmware's "TFTP: NAME: N bytes in M ms (K KiB/s, blksize B
    window W, ...)" line: (N, M, B), or None."""
    for line in text.replace("\r", "").splitlines():
        if line.startswith(f"TFTP: {name}: "):
            m = _TFTP.search(line)
            return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    return None


_PROFILE = re.compile(r"busy ([0-9]+) cycles/block \([0-9]+% of ([0-9]+) cycles/block\)")


def tftp_profile(text: str, name: str) -> Optional[Tuple[int, int]]:
    """The -trace-boot profile at the end of the firmware's TFTP line for
    NAME: (busy TSC cycles per block, all cycles per block), or None."""
    for line in text.replace("\r", "").splitlines():
        if line.startswith(f"TFTP: {name}: "):
            m = _PROFILE.search(line)
            return (int(m.group(1)), int(m.group(2))) if m else None
    return None


def vcpu0_exits(text: str) -> Optional[int]:
    """vcpu0's exit count from minivmm -stats: KVM's own count
    (kvm_exits=, in-kernel exits too) when present, else exits=."""
    for rx in (r"^vcpu0: .* kvm_exits=([0-9]+)$", r"^vcpu0: exits=([0-9]+) "):
        m = re.search(rx, text, re.M)
        if m:
            return int(m.group(1))
    return None


def mvt_facts(text: str) -> List[Tuple[str, float]]:
    """A Linux benchmark guest's "MVT key=value" lines (bench/linux/*.sh);
    values that are not numbers ("-": not measured) are left out."""
    out = []
    for line in text.replace("\r", "").splitlines():
        m = re.match(r"^MVT ([a-z0-9_.]+)=(.*)$", line)
        if m and num(m.group(2)) is not None:
            out.append((m.group(1), float(m.group(2))))
    return out


def console_tail(text: str, n: int = 8, kernel_lines: bool = False) -> List[str]:
    """The last N lines of a console (kernel "[...]" lines dropped unless
    KERNEL_LINES)."""
    lines = text.replace("\r", "").splitlines()
    if not kernel_lines:
        lines = [x for x in lines if not x.startswith("[")]
    return lines[-n:]
