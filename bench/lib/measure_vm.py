# SPDX-License-Identifier: MIT
"""Sections a) to d): start-up, memory overhead, start rate, binary size.
Each VMM boots the same benchmark guest (bench/guest/); runs alternate
between the VMMs, rotated each round, so a change in the host's load hits
every VMM alike."""

import os
import re
import shutil
import subprocess
from typing import List, NamedTuple

from . import host
from .context import RAM_MIB, Bench, log
from .parse import floor_phases, trace_phases

MICROVM_TUNED = "microvm,x-option-roms=off,rtc=off,pit=off,pic=off"


def qemu_common() -> List[str]:
    return ["-m", str(RAM_MIB), "-display", "none", "-serial", "stdio",
            "-no-reboot", "-nodefaults", "-no-user-config"]


class Contender(NamedTuple):
    name: str
    runs: int
    cmd: List[str]


def contenders(b: Bench) -> List[Contender]:
    t, runs = b.tools, b.p["runs"]
    out = [Contender("floor", runs, [t["floor"]]),
           Contender("minivmm", runs, [t["minivmm"], "-kernel", t["guest_bz"],
                                       "-m", str(RAM_MIB)])]
    # the floor's guest program under minivmm: '!' and S5 at entry
    if t.get("guest_bz_off"):
        out.append(Contender("minivmm-off", runs, [t["minivmm"], "-kernel",
                                                   t["guest_bz_off"], "-m", str(RAM_MIB)]))
    if b.qemu_accel:
        for name, machine, n in (("qemu-microvm", "microvm", runs),
                                 ("qemu-microvm-tuned", MICROVM_TUNED, runs),
                                 ("qemu-q35", "q35", b.p["q35_runs"])):
            out.append(Contender(name, n, [b.qemu, "-M", machine, "-accel",
                                           b.qemu_accel, *qemu_common(),
                                           "-kernel", t["guest_elf"]]))
    return out


def qemu_probe(b: Bench) -> None:
    """QEMU with KVM where it runs the guest here, else TCG (the document
    says which)."""
    r = b.r
    if not shutil.which(b.qemu):
        r.meta["qemu_note"] = "QEMU not found: no QEMU rows."
        return
    r.meta["qemu_version"] = subprocess.run(
        [b.qemu, "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines()[0]
    note = ""
    for accel in ("kvm", "tcg"):
        cmd = [b.qemu, "-M", "microvm", "-accel", accel, *qemu_common(),
               "-kernel", b.tools["guest_elf"]]
        res = b.stamp(["-t", "60"], cmd)
        if res.get("rc") == "0" and res.get("first_us") != "-1":
            b.qemu_accel = accel
            break
        note = f"QEMU -accel {accel} failed here ({' '.join(f'{k}={v}' for k, v in res.items())}); "
    if b.qemu_accel == "kvm":
        note = f"QEMU runs with -accel kvm on this host's {host.kvm_type()}."
    elif b.qemu_accel:
        note += "QEMU rows use -accel tcg (software emulation)."
    else:
        note += "QEMU could not run the guest: no QEMU rows."
    r.meta["qemu_note"] = note
    r.meta["qemu_accel"] = b.qemu_accel


def rotated(items: list, r: int) -> list:
    """ITEMS starting at index r (mod len): round r's order."""
    n = len(items)
    return [items[(i + r) % n] for i in range(n)]


def startup(b: Bench) -> None:
    """a) exec -> first serial byte, -> the guest's "BENCH up", -> exit;
    in the same rounds minivmm's -trace-boot and the floor's -v phases."""
    r, order = b.r, contenders(b)
    for c in order:
        r.commands[f"start.{c.name}"] = b.shown(c.cmd)
    log(f"start-up: {b.p['runs']} alternating rounds (q35: {b.p['q35_runs']})")
    for rnd in range(b.p["runs"]):
        for c in rotated(order, rnd):
            if rnd >= c.runs:
                continue
            res = b.stamp(["-t", "60", "-p", "BENCH up"], c.cmd)
            if res.get("rc") != "0":
                line = " ".join(f"{k}={v}" for k, v in res.items())
                log(f"{c.name} run failed: {line}")
                r.fail(f"{c.name} {line}")
                continue
            r.add(f"start.{c.name}.first", int(res["first_us"]) / 1000)
            # the guest's banner, after its own start-up code (not the floor's)
            if res.get("pattern_us", "-1") != "-1":
                r.add(f"start.{c.name}.banner", int(res["pattern_us"]) / 1000)
            r.add(f"start.{c.name}.exit", int(res["exit_us"]) / 1000)
        t = b.tools
        p = subprocess.run([t["minivmm"], "-kernel", t["guest_bz"], "-m",
                            str(RAM_MIB), "-trace-boot"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, errors="replace")
        for ph, ms in trace_phases(p.stderr):
            r.add(f"phase.minivmm.{ph}", ms)
        p = subprocess.run([t["floor"], "-v"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, errors="replace")
        for ph, ms in floor_phases(p.stderr):
            r.add(f"phase.floor.{ph}", ms)


def memory(b: Bench) -> None:
    """b) RSS minus the touched guest RAM, guest idle (bench_stamp -m)."""
    r, t = b.r, b.tools
    halt = ["-append", "bench.action=halt"]
    cmds = {"minivmm": [t["minivmm"], "-kernel", t["guest_bz"], "-m", str(RAM_MIB), *halt]}
    if b.qemu_accel:
        for name, machine in (("qemu-microvm", "microvm"), ("qemu-q35", "q35")):
            cmds[name] = [b.qemu, "-M", machine, "-accel", b.qemu_accel,
                          *qemu_common(), "-kernel", t["guest_elf"], *halt]
    r.commands["mem.minivmm"] = b.shown(cmds["minivmm"])
    log(f"memory: {b.p['mem_runs']} alternating runs")
    for rnd in range(b.p["mem_runs"]):
        for name, cmd in cmds.items():
            if name == "qemu-q35" and rnd >= b.p["q35_runs"]:
                continue
            res = b.stamp(["-t", "60", "-m", "GUEST halt", "-r", str(RAM_MIB),
                           "-s", "300"], cmd, first_line=True)
            if "overhead_kb" not in res:
                line = " ".join(f"{k}={v}" for k, v in res.items())
                log(f"{name} memory run failed: {line}")
                r.fail(f"{name} memory: {line}")
                continue
            for k in ("rss_kb", "guest_kb", "overhead_kb", "pss_kb"):
                r.add(f"mem.{name}.{k}", float(res[k]))


def rate(b: Bench) -> None:
    """c) sequential start -> power-off cycles per second, in slices that
    alternate between the VMMs; rate = all cycles / all seconds.  q35 is
    left out (seconds per cycle, see a)."""
    r = b.r
    order = [c for c in contenders(b) if c.name != "qemu-q35"]
    slices = b.p["rate_slices"]
    slice_s = b.p["rate_s"] / slices
    log(f"start rate: {b.p['rate_s']} s per VMM in {slices} alternating slices")
    total = {c.name: [0, 0.0, 0] for c in order}
    for rnd in range(slices):
        for c in rotated(order, rnd):
            res = b.stamp(["-t", "60", "-L", f"{slice_s:g}"], c.cmd)
            cyc, sec = int(res.get("cycles", 0)), float(res.get("seconds", 0))
            total[c.name][0] += cyc
            total[c.name][1] += sec
            total[c.name][2] += int(res.get("failed", 0))
            if sec > 0:
                r.add(f"rate.{c.name}.slice", cyc / sec)
    for name, (cyc, sec, failed) in total.items():
        r.values[f"rate.{name}.cycles"] = cyc
        r.values[f"rate.{name}.seconds"] = round(sec, 3)
        r.values[f"rate.{name}.rate"] = round(cyc / sec, 3) if sec else 0.0
        r.values[f"rate.{name}.failed"] = failed


def _ldd_libs(path: str) -> List[str]:
    p = subprocess.run(["ldd", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return [ln.split()[2] for ln in p.stdout.splitlines()
            if "=>" in ln and len(ln.split()) > 2 and ln.split()[2].startswith("/")] \
        if p.returncode == 0 else []


def _ldd_count(path: str) -> int:
    p = subprocess.run(["ldd", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return sum("=>" in ln for ln in p.stdout.splitlines())


def _stripped_size(b: Bench, path: str) -> int:
    out = b.path(os.path.basename(path) + ".stripped")
    subprocess.run(["strip", "--strip-all", "-o", out, path], check=True)
    return os.stat(out).st_size


def size(b: Bench) -> None:
    """d) binary sizes, shared libraries, the embedded netboot firmware."""
    v, t = b.r.values, b.tools
    v["size.minivmm"] = _stripped_size(b, t["minivmm"])
    v["size.minivmm_raw"] = os.stat(t["minivmm"]).st_size
    v["size.floor"] = _stripped_size(b, t["floor"])
    v["libs.minivmm"] = _ldd_count(t["minivmm"])
    nm = subprocess.run(["nm", t["minivmm"]], stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, text=True).stdout
    sym = {m.group(2): int(m.group(1), 16) for m in
           re.finditer(r"^([0-9a-f]+) \S (minivmm_firmware_(?:start|end))$", nm, re.M)}
    if len(sym) == 2:
        v["size.firmware"] = sym["minivmm_firmware_end"] - sym["minivmm_firmware_start"]
    q = shutil.which(b.qemu)
    if q:
        v["size.qemu"] = os.stat(q).st_size
        v["libs.qemu"] = _ldd_count(q)
        v["libsize.qemu"] = sum(os.stat(x).st_size for x in _ldd_libs(q))
        fw = "/usr/share/qemu/bios-microvm.bin"
        if os.path.exists(fw):
            v["size.qemu_fw"] = os.stat(fw).st_size
