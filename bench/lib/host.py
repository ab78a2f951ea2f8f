# SPDX-License-Identifier: MIT
"""Facts about the host the document states beside the numbers."""

import os
import re
import subprocess


def kvm_type() -> str:
    for m in ("kvm_pvm", "kvm_intel", "kvm_amd"):
        if os.path.isdir(f"/sys/module/{m}"):
            return m
    return "none"


def _cpu_flags() -> set:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def hw_kvm() -> bool:
    return kvm_type() in ("kvm_intel", "kvm_amd") and bool({"vmx", "svm"} & _cpu_flags())


def hw_skip_reason() -> str:
    """Why the hardware-KVM part cannot run here ("" when it can)."""
    k = kvm_type()
    if k in ("kvm_intel", "kvm_amd"):
        return "" if {"vmx", "svm"} & _cpu_flags() else f"{k} loaded but no vmx/svm CPU flag"
    if k == "none":
        return "no KVM module loaded"
    return (f"/dev/kvm is {k} (guest code is emulated, a stock Linux kernel "
            "cannot reach userspace here)")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def tsc_mhz() -> float:
    """The TSC rate: the kernel's refined calibration, else its first
    guess, else /proc/cpuinfo's "cpu MHz"; 0 when unknown."""
    try:
        log = subprocess.run(["dmesg"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
    except OSError:
        log = ""
    for rx in (r"tsc: Refined TSC clocksource calibration: ([0-9.]+) MHz",
               r"tsc: Detected ([0-9.]+) MHz"):
        found = re.findall(rx, log)
        if found:
            return float(found[-1])
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^cpu MHz\s*: ([0-9.]+)", f.read(), re.M)
            return float(m.group(1)) if m else 0.0
    except OSError:
        return 0.0


def git_rev(top: str) -> str:
    """The tree's revision, "(with uncommitted changes)" when files
    outside docs/ differ (MVT_BENCH_REV: given by the nested harness)."""
    if os.environ.get("MVT_BENCH_REV"):
        return os.environ["MVT_BENCH_REV"]
    try:
        p = subprocess.run(["git", "-C", top, "rev-parse", "--short", "HEAD"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        d = subprocess.run(["git", "-C", top, "diff", "--quiet", "HEAD", "--", ".", ":!docs"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return "unknown"
    rev = p.stdout.strip() or "unknown"
    if rev != "unknown" and d.returncode != 0:
        rev += " (with uncommitted changes)"
    return rev


def describe(r, top: str, nested: bool) -> None:
    """The host rows of the document, into the results' meta."""
    m = r.meta
    m["cpu"] = cpu_model()
    m["nproc"] = os.cpu_count()
    m["kernel"] = os.uname().release
    m["kvm"] = kvm_type()
    m["kvm_hw"] = hw_kvm()
    m["rev"] = git_rev(top)
    m["nested"] = nested
    m["tsc_mhz"] = tsc_mhz()
