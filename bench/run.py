#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/run.py - measure minivmm side by side with QEMU and with the floor
(the least a VMM must do) on this host's /dev/kvm, write the results as
one JSON file, then render the documents from it (render.py).  Measuring
and reporting stay apart: render.py reads only the JSON.

scripts/bench.sh is the entry point (it installs what is missing and
calls this); see `scripts/bench.sh --help` for the options."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lib import host, measure_dev, measure_hw, measure_netboot, measure_vm  # noqa: E402
from lib.context import RAM_MIB, HW_MEM, Bench, log  # noqa: E402
from lib.results import Results  # noqa: E402
import render  # noqa: E402
from lib.nested import BEGIN, END  # noqa: E402

TOP = os.path.dirname(HERE)

USAGE = """scripts/bench.sh [--quick] [--out FILE] [--charts DIR] [--json FILE]
                  [--no-install] [--no-hw | --hw-only | --nested | --disk-only |
                   --netboot-only]
                  [--kit DIR]

Measures, with alternating runs (runs, min, median, max), as root:
  a) start-up: exec -> first serial byte, exec -> exit (the guest powers
     off at once); minivmm's -trace-boot phases
  b) memory: RSS minus the guest RAM pages actually touched, guest idle
  c) start rate: sequential start -> power-off cycles per second
  d) binary size
  e) device cost: host CPU time per 4 KiB virtio-blk request
  e2) disk formats: the same per 4 KiB scattered read and write on raw,
     qcow2 and a qcow2 overlay, minivmm beside QEMU's qcow2
  f) device cost: host CPU time per virtio-net frame (to a peer namespace)
  netboot (when minivmm -netboot works), and hardware-KVM-only runs when
  the host has kvm_intel/kvm_amd: Linux boot (Debian kernel and a minimal
  "microvm" kernel, scripts/microvm-kernel.sh), dd + fio, iperf3 1 and 4
  streams both ways, netboot of Linux with the installer's sizes.
Writes the results (JSON) and from them docs/benchmarks.md and
docs/charts/*.png (bench/render.py renders a saved JSON again).

--quick     one run of each, 1 s rate loops, small request counts, output to
            a temporary folder (the CI smoke test)
--out FILE  the document (default docs/benchmarks.md; --quick: temporary)
--charts DIR  the charts (default: charts/ beside the document)
--json FILE the results (default: beside the document, FILE.json)
--no-install  do not apt-get what is missing
--no-hw     skip the hardware-KVM part even on a hardware-KVM host
--hw-only   only the hardware-KVM part (its own document, docs/benchmarks-hw.md)
--nested    the hardware-KVM part in the nested harness' L1 (tests/nested/
            run.sh), for the harness' correctness only: its timings are not
            performance figures; the document is printed (--out: also written)
--disk-only only e2); its results JSON is printed between MVT-BENCH-JSON
            markers (--json FILE: also saved); `bench/render.py FILE
            --section disk` renders that section alone (how docs/benchmarks.md
            got e2 on a host without /dev/kvm: measured in the nested
            harness' L1, MVT_NESTED=1 there)
--disk-n N, --disk-runs N  requests per run and rounds of e2) (default 2000
            and 3; fewer where every guest exit is slow, as in L1)
--netboot-only  only the netboot section (firmware vs busybox/curl from
            dnsmasq, tftpd-hpa, atftpd); the other sections say "not run"
--kit DIR   (inside L1) use the kit in DIR instead of building anything
The full run takes about 4 minutes on a 2-CPU kvm_pvm machine.
Environment: BUILD_DIR (default build-bench), QEMU (qemu-system-x86_64)."""


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/bench.sh", usage=USAGE, add_help=False)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-install", action="store_true")
    p.add_argument("--out")
    p.add_argument("--charts")
    p.add_argument("--json")
    p.add_argument("--hw-only", action="store_true")
    p.add_argument("--no-hw", action="store_true")
    p.add_argument("--nested", action="store_true")
    p.add_argument("--netboot-only", action="store_true")
    p.add_argument("--kit")
    p.add_argument("--disk-only", action="store_true")
    p.add_argument("--disk-n", type=int)
    p.add_argument("--disk-runs", type=int)
    p.add_argument("-h", "--help", action="store_true")
    a = p.parse_args(argv)
    if a.help:
        print(USAGE)
        sys.exit(0)
    if a.nested:
        a.hw_only = True
    if a.kit:
        a.hw_only, a.no_install = True, True
    return a


def build(b: Bench) -> None:
    bdir = os.environ.get("BUILD_DIR", os.path.join(TOP, "build-bench"))
    log(f"building minivmm in {bdir}")
    p = subprocess.run([os.path.join(TOP, "bench/provision/build.sh"), TOP, bdir],
                       stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("bench: the build failed")
    for line in p.stdout.splitlines():
        k, _, v = line.partition("=")
        b.tools[k] = v
    for k, v in b.tools.items():
        if not os.path.exists(v):
            sys.exit(f"bench: build did not produce {v}")
    try:
        cc = subprocess.run([os.environ.get("CC", "cc"), "--version"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True).stdout.splitlines()
    except FileNotFoundError:  # inside the nested harness: built on the host
        cc = []
    b.r.meta["build"] = f"{os.path.basename(bdir)}/minivmm ({cc[0] if cc else 'cc'})"


def meta(b: Bench, a) -> None:
    m = b.r.meta
    host.describe(b.r, TOP, nested=bool(os.environ.get("MVT_NESTED")))
    m["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    m["quick"] = a.quick
    m["hw_only"] = a.hw_only
    m["netboot_only"] = a.netboot_only
    m["ram_mib"] = RAM_MIB
    m["hw_mem"] = HW_MEM
    m["params"] = b.p
    m["qemu"] = b.qemu
    m["load_start"] = host.loadavg()


def run_main(b: Bench, a) -> None:
    measure_vm.qemu_probe(b)
    log(f"KVM: {host.kvm_type()}; {b.r.meta.get('qemu_note', '')}")
    measure_vm.startup(b)
    measure_vm.memory(b)
    measure_vm.rate(b)
    measure_vm.size(b)
    measure_dev.blk(b)
    measure_dev.disk_formats(b)
    measure_dev.net(b)
    measure_netboot.netboot(b)
    measure_hw.run(b, "", a.no_install, a.no_hw)


def run_hw(b: Bench, a) -> None:
    if shutil.which(b.qemu):
        out = subprocess.run([b.qemu, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout.splitlines()
        if out:
            b.r.meta["qemu_version"] = out[0]
    measure_hw.run(b, a.kit or "", a.no_install, False)


def nested(b: Bench, a) -> Results:
    """The hardware part in the nested harness' L1 (QEMU TCG with an
    emulated AMD SVM): the kit and a Python runtime go to L1
    (MVT_NESTED_EXTRA), this script runs there with --kit and prints its
    results JSON, which is rendered here."""
    from lib import nested as nest
    return nest.run(b, a, TOP)


def main(argv) -> int:
    a = parse_args(argv)
    if os.geteuid() != 0:
        sys.exit("bench: run as root (installs packages, opens /dev/kvm, makes namespaces)")
    # --nested needs none here: L1 runs under QEMU TCG with its own KVM
    if not a.nested and not os.path.exists("/dev/kvm"):
        sys.exit("bench: no /dev/kvm")
    if not a.no_install:
        subprocess.run([os.path.join(TOP, "bench/provision/install.sh")], check=True)
    work = tempfile.mkdtemp(prefix="minivmm-bench.", dir=os.environ.get("TMPDIR", "/tmp"))
    r = Results("hw" if a.hw_only else "main")
    b = Bench(TOP, work, a.quick, r)
    for k in ("disk_n", "disk_runs"):
        if getattr(a, k):
            b.p[k] = getattr(a, k)
    # SIGTERM: clean up the namespaces and servers as on any exit
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        meta(b, a)
        t0 = time.monotonic()
        if a.kit:
            b.tools = {"minivmm": os.environ["MINIVMM"],
                       "stamp": os.path.join(a.kit, "bench_stamp")}
            run_hw(b, a)
            r.meta["load_end"] = host.loadavg()
            # inside L1: the results go to the host on the console
            print(BEGIN)
            print(json.dumps(r.to_dict(), indent=1))
            print(END, flush=True)
            return 0
        build(b)
        if a.disk_only:
            return disk_only(b, a)
        if a.nested:
            r = nested(b, a)
        elif a.hw_only:
            run_hw(b, a)
        elif a.netboot_only:
            measure_netboot.netboot(b)
        else:
            run_main(b, a)
        r.meta["load_end"] = r.meta.get("load_end") or host.loadavg()
        return finish(b, r, a, time.monotonic() - t0)
    finally:
        b.cleanup()
        subprocess.run(["rm", "-rf", work])


def disk_only(b: Bench, a) -> int:
    """--disk-only: e2) alone, its results printed (and saved with --json)."""
    b.r.meta["disk_only"] = True
    measure_vm.qemu_probe(b)
    measure_dev.disk_formats(b)
    b.r.meta["load_end"] = host.loadavg()
    if a.json:
        b.r.save(a.json)
    print(BEGIN)
    print(json.dumps(b.r.to_dict(), indent=1))
    print(END, flush=True)
    return 0


def finish(b: Bench, r: Results, a, seconds: float) -> int:
    """Save the JSON, render the document (and charts) from it."""
    hw = r.kind == "hw"
    out = a.out
    if not out:
        if a.quick or a.nested or a.netboot_only:
            out = os.path.join(b.work, "out", "benchmarks-hw.md" if hw else "benchmarks.md")
        else:
            out = os.path.join(TOP, "docs", "benchmarks-hw.md" if hw else "benchmarks.md")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    js = a.json or os.path.splitext(out)[0] + ".json"
    r.save(js)
    charts = a.charts or os.path.join(os.path.dirname(os.path.abspath(out)), "charts")
    # docs/benchmarks-hw.md: the guide with the run in it
    guide = hw and os.path.abspath(out) == os.path.join(TOP, "docs", "benchmarks-hw.md")
    render.render_file(js, out, None if hw else charts, source=None, hw_guide=guide)
    log(f"done in {seconds:.0f} s: {out} (results: {js})")
    if a.quick or a.netboot_only or (hw and not guide):
        with open(out) as f:
            sys.stdout.write(f.read())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
