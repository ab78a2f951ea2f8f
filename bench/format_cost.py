#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Disk-format cost on the host, without KVM: minivmm's raw and qcow2
back-ends beside QEMU's block layer, the same requests on the same files.

    bench/format_cost.py --tool build/bench/bench_disk_format \\
        [--qemu-img qemu-img] [--n 20000] [--n-alloc 2000] [--runs 5] \\
        [--dir DIR] [--json FILE]
    bench/format_cost.py --render FILE      (the table again, from --json)

Issue 18's speed goals (qcow2 <= 1.2x minivmm's raw cost, <= 0.5x
QEMU's qcow2) are about the format layer; in the nested harness a guest's
request costs milliseconds of emulated exits, which hide it (docs/
benchmarks.md, e2).  Here no guest and no VMM run: requests go straight
into the code virtio-blk's I/O thread calls.

The files, in DIR (default: a new directory under /var/tmp, a real file
system; removed afterwards unless --dir was given):
  disk.raw        1 GiB sparse raw file
  disk.qcow2      1 GiB qcow2, every cluster allocated
                  (qemu-img create -o preallocation=metadata)
  disk.overlay    empty qcow2 overlay over disk.raw, made afresh before
                  every run (reads go to the backing file; a write
                  allocates a 64 KiB cluster and copies the rest of it)
  disk.hole       1 GiB sparse raw file, made afresh before every run
                  (writes only: each lands in a hole, so the file system
                  allocates a block, as it does for the overlay's new
                  clusters; the raw rows above overwrite blocks their
                  warm-up run allocated)
  disk.copy       the floor of the overlay's allocating write, without
                  any format: bench_disk_format -c reads the 64 KiB
                  around each block of disk.raw and writes it to this
                  new file (removed before every run), then fdatasync

The pattern: 4 KiB requests one at a time, request i at block
i * 40503 mod 2^18 (every block once, scattered over the disk: the
benchmark guest's order), reads and writes, cache=writeback (the page
cache), and the final flush at close.
  minivmm  bench_disk_format [-w] -n N -f FORMAT FILE (bench/disk_format.c:
           devices/disk_image.c, disk_raw.c, qcow2.c, the I/O thread's code)
  QEMU     qemu-img bench [-w] -c N -d 1 -s 4096 -o 0 -S 165900288
           -t writeback -i threads --pattern=90 -f FORMAT FILE
           (-S 40503 * 4096: its offset wraps modulo the image size,
           which gives the same sequence of offsets)
Cost per request = (median CPU with N requests - median CPU with N = 0)
/ N, CPU = user + system time of the whole process (wait4's rusage, every
thread), runs alternating between the two programs after one uncounted
warm-up run of each case.  Writes to the overlay and into the holes use
--n-alloc requests (fewer: each allocates a cluster, and the 16384
clusters of the disk must stay mostly unallocated).  The overlay's
allocating write is set against both raw writes: the overwrite (the
issue's goal) and the write into a hole (the same work for the file
system), and against the floor: the reads, writes and block allocation
of copying the cluster, which the format cannot do without (QEMU has no
such row).

Prints each run, then a Markdown table with the ratios.  Standard library
only; exit status 0, or 1 when a program failed.
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lib import stats  # noqa: E402

DISK_BYTES = 1 << 30
BLOCK = 4096
STEP = 40503
PATTERN = 0x5a

# (key, file, format, description); the overlay is made before each run.
IMAGES = (
    ("raw", "disk.raw", "raw", "raw file (sparse, in the page cache)"),
    ("qcow2-alloc", "disk.qcow2", "qcow2", "qcow2, every cluster allocated"),
    ("qcow2-overlay", "disk.overlay", "qcow2",
     "qcow2 overlay over the raw file, clusters unallocated"),
    ("raw-hole", "disk.hole", "raw", "raw file, first write into a sparse hole"),
    ("copy-floor", "disk.raw", "raw",
     "no format: read 64 KiB of the raw file, write it to a new file"),
)
# Reading a hole is a raw read; the hole rows are about allocating writes.
WRITE_ONLY = ("raw-hole", "copy-floor")
# Rows of bench_disk_format alone (qemu-img bench has no such mode).
MINIVMM_ONLY = ("copy-floor",)
COPY_FILE = "disk.copy"
OPS = ("read", "write")
PROGRAMS = ("minivmm", "qemu")
NAMES = {"minivmm": "minivmm", "qemu": "QEMU (qemu-img bench)"}


class Failed(Exception):
    pass


def command(a, prog, op, image, n, path):
    """The command line of one run."""
    fmt = [i[2] for i in IMAGES if i[0] == image][0]
    if image == "copy-floor":
        return [a.tool, "-n", str(n), "-s", str(STEP), "-c",
                os.path.join(os.path.dirname(path), COPY_FILE), path]
    if prog == "minivmm":
        cmd = [a.tool, "-n", str(n), "-s", str(STEP), "-f", fmt]
    else:
        cmd = [a.qemu_img, "bench", "-c", str(n), "-d", "1", "-s", str(BLOCK),
               "-o", "0", "-S", str(STEP * BLOCK), "-t", "writeback",
               "-i", "threads", "--pattern=%d" % PATTERN, "-f", fmt]
    if op == "write":
        cmd.insert(-2, "-w")
    return cmd + [path]


def parse_output(prog, out, n):
    """Check that the program did the N requests it was asked for."""
    if prog == "minivmm":
        m = re.search(r"^disk_format op=(\w+) format=(\w+) n=(\d+) "
                      r"bytes=(4096|65536) size=(\d+)$", out, re.M)
        if not m or int(m.group(3)) != n:
            raise Failed("unexpected output: %r" % out[-300:])
        return
    m = re.search(r"^Sending (\d+) (read|write) requests, 4096 bytes each, "
                  r"1 in parallel", out, re.M)
    if not m or int(m.group(1)) != n or "Run completed" not in out:
        raise Failed("unexpected output: %r" % out[-300:])


def run_once(cmd):
    """(CPU seconds of the process, its output)."""
    with tempfile.TemporaryFile() as f:
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        f.seek(0)
        out = f.read().decode(errors="replace")
    if p.returncode:
        raise Failed("%s: exit status %d: %s" % (" ".join(cmd), p.returncode,
                                                 out.strip()[-300:]))
    return ru.ru_utime + ru.ru_stime, out


def make_overlay(a, d):
    path = os.path.join(d, "disk.overlay")
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run([a.qemu_img, "create", "-q", "-f", "qcow2", "-b", "disk.raw",
                    "-F", "raw", path], check=True)


def make_hole_file(d):
    path = os.path.join(d, "disk.hole")
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(DISK_BYTES)


def make_images(a, d):
    with open(os.path.join(d, "disk.raw"), "wb") as f:
        f.truncate(DISK_BYTES)
    subprocess.run([a.qemu_img, "create", "-q", "-f", "qcow2", "-o",
                    "preallocation=metadata", os.path.join(d, "disk.qcow2"),
                    str(DISK_BYTES)], check=True)


def count(n, n_alloc, op, image):
    """Requests per run of a case."""
    return n_alloc if op == "write" and image in ("qcow2-overlay",
                                                   "raw-hole",
                                                   "copy-floor") else n


def cases():
    """(op, image key, file name) of every case, in the order run."""
    return [(op, img[0], img[1]) for op in OPS for img in IMAGES
            if op == "write" or img[0] not in WRITE_ONLY]


def measure(a, d):
    """series[op.image.prog.N] = [CPU seconds per run]."""
    series, commands = {}, []
    for run in range(a.runs + 1):		# run 0: the warm-up
        for op, image, fname in cases():
            n = count(a.n, a.n_alloc, op, image)
            for prog in PROGRAMS:
                if prog != "minivmm" and image in MINIVMM_ONLY:
                    continue
                for k in (n, 0):
                    if image == "qcow2-overlay":
                        make_overlay(a, d)
                    if image == "raw-hole":
                        make_hole_file(d)
                    if image == "copy-floor" and os.path.exists(
                            os.path.join(d, COPY_FILE)):
                        os.unlink(os.path.join(d, COPY_FILE))
                    cmd = command(a, prog, op, image, k, os.path.join(d, fname))
                    cpu, out = run_once(cmd)
                    parse_output(prog, out, k)
                    if run == 0:
                        if k:
                            commands.append(cmd)
                        continue
                    series.setdefault("%s.%s.%s.%d" % (op, image, prog, k),
                                      []).append(cpu)
                    print("run %d %-5s %-13s %-7s N=%-6d CPU %8.2f ms" % (
                        run, op, image, prog, k, cpu * 1000), flush=True)
    return series, commands


def cost(res, op, image, prog):
    """us of CPU per request."""
    n = count(res["n"], res["n_alloc"], op, image)
    s = res["series"]
    return stats.per_request(s.get("%s.%s.%s.%d" % (op, image, prog, n), []),
                             s.get("%s.%s.%s.0" % (op, image, prog), []),
                             n, 1e6)


def render(res):
    """The Markdown table (and the goals' verdicts) of a results dict."""
    out = ["| op | image | N | minivmm us/request | QEMU us/request | "
           "minivmm x its raw | minivmm / QEMU |",
           "|---|---|---|---|---|---|---|"]
    goals = []
    descs = {i[0]: i[3] for i in IMAGES}
    for op in OPS:
        raw = cost(res, op, "raw", "minivmm")
        hole = cost(res, op, "raw-hole", "minivmm")
        floor = cost(res, op, "copy-floor", "minivmm")
        for case_op, image, _ in cases():
            if case_op != op:
                continue
            desc = descs[image]
            m = cost(res, op, image, "minivmm")
            q = cost(res, op, image, "qemu")
            if m is None and q is None:
                continue	# a --json of a version without this row
            vs_raw = stats.ratio(m, raw)
            vs_qemu = stats.ratio(m, q)
            out.append("| %s | %s | %d | %s | %s | %s | %s |" % (
                op, desc, count(res["n"], res["n_alloc"], op, image), stats.fmt(m, 2),
                stats.fmt(q, 2), stats.fmt(vs_raw, 2), stats.fmt(vs_qemu, 2)))
            if image in WRITE_ONLY:
                goals.append("%s, %s: %s x a raw overwrite (no goal: a "
                             "comparator for allocating writes)" % (
                                 op, desc, stats.fmt(vs_raw, 2)))
            elif image != "raw":
                extra = ""
                if (op, image) == ("write", "qcow2-overlay"):
                    extra = ", %s x a raw write into a hole" % stats.fmt(
                        stats.ratio(m, hole), 2)
                    if stats.is_number(floor):
                        extra += ", %s x the copy's floor" % stats.fmt(
                            stats.ratio(m, floor), 2)
                goals.append("%s, %s: %s x raw (goal <= 1.2: %s)%s, %s x "
                             "QEMU (goal <= 0.5: %s)" % (
                                 op, desc, stats.fmt(vs_raw, 2),
                                 verdict(vs_raw, 1.2), extra,
                                 stats.fmt(vs_qemu, 2), verdict(vs_qemu, 0.5)))
    return "\n".join(out + [""] + ["- " + g for g in goals])


def verdict(x, limit):
    """A ratio of noise (a cost below its baseline) decides nothing."""
    if not stats.is_number(x) or x <= 0:
        return "n/a"
    return "met" if x <= limit else "not met"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", help="bench_disk_format (build/bench/)")
    ap.add_argument("--qemu-img", default="qemu-img")
    ap.add_argument("--n", type=int, default=20000, help="requests per run")
    ap.add_argument("--n-alloc", type=int, default=2000,
                    help="requests per run for writes to the overlay")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", help="where the images go (kept)")
    ap.add_argument("--json", help="write the raw numbers here")
    ap.add_argument("--render", metavar="FILE", help="print the table of a --json file")
    a = ap.parse_args()
    if a.render:
        with open(a.render) as f:
            print(render(json.load(f)))
        return 0
    if not a.tool or a.n <= 0 or a.n_alloc <= 0 or a.runs <= 0:
        ap.error("--tool is needed; --n, --n-alloc and --runs must be > 0")
    if max(a.n, a.n_alloc) > DISK_BYTES // BLOCK:
        ap.error("at most %d requests (each block once)" % (DISK_BYTES // BLOCK))
    d = a.dir or tempfile.mkdtemp(prefix="formatcost.", dir="/var/tmp")
    os.makedirs(d, exist_ok=True)
    try:
        make_images(a, d)
        make_overlay(a, d)
        qver = subprocess.run([a.qemu_img, "--version"], capture_output=True,
                              text=True).stdout.splitlines()[0]
        series, commands = measure(a, d)
    except (Failed, OSError, subprocess.CalledProcessError) as e:
        print("format_cost: %s" % e, file=sys.stderr)
        return 1
    finally:
        if not a.dir:
            shutil.rmtree(d, ignore_errors=True)
    res = {"n": a.n, "n_alloc": a.n_alloc, "runs": a.runs, "series": series,
           "commands": [" ".join(c) for c in commands],
           "meta": {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                    "host": platform.node(), "kernel": platform.release(),
                    "cpus": os.cpu_count(), "qemu_img": qver}}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    print()
    print(render(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
