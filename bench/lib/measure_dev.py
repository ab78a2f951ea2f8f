# SPDX-License-Identifier: MIT
"""Sections e) and f): the host CPU time a virtio-blk request and a
virtio-net frame cost, and e2) that of a 4 KiB random read or write on
each disk format.  Each VMM runs the guest with 0 and with N requests;
bench_stamp reads every thread's CPU time when the guest halts; the cost
per request is the difference of the medians over N (stats.per_request).
The virtio-net rounds end with the device floor (bench/netfloor.c)."""

import os
import re
import shutil
import subprocess
from typing import List, Optional, Tuple

from .context import RAM_MIB, Bench, log
from .measure_vm import qemu_common
from .parse import kv, num, thread_sum, threads
from .stats import per_request

# one record of a run: the summed CPU ms and context switches of the
# device's I/O threads, of its vCPU threads, of all threads, and the
# CPU ms of every thread but the vCPUs
COLUMNS = ("io_ms", "io_sw", "vcpu_ms", "vcpu_sw", "all_ms", "all_sw", "nonvcpu_ms")

# The device-cost runs of QEMU: KVM, named threads, modern virtio-mmio.
QEMU_DEVCOST = ["-M", "microvm", "-accel", "kvm", *qemu_common(),
                "-name", "bench,debug-threads=on",
                "-global", "virtio-mmio.force-legacy=false"]


def series(key: str, name: str, n: int, col: str) -> str:
    return f"{key}.{name}.{n}.{col}"


def dev_per(b: Bench, key: str, name: str, n: int, col: str, scale: float) -> Optional[float]:
    r = b.r
    return per_request(r.get(series(key, name, n, col)), r.get(series(key, name, 0, col)),
                       n, scale)


def run_one(b: Bench, key: str, name: str, n: int, io: str, vcpu: str, cmd: List[str]) -> None:
    """One run of CMD: the guest does N requests, prints "BENCH DEV done=D
    errors=E tsc=T" and halts (DEV: KEY up to its first '-')."""
    dev = key.split("-")[0]
    out = b.path(f"{key}.out")
    text = b.stamp_text(["-t", "120", "-o", out, "-m", "GUEST halt", "-r",
                         str(RAM_MIB), "-s", "100"], cmd)
    try:
        with open(out, errors="replace") as f:
            console = f.read().replace("\r", "")
    except OSError:
        console = ""
    guest = next((ln for ln in console.splitlines() if f"BENCH {dev} done" in ln), "")
    g = kv(guest)
    if g.get("done") != str(n) or g.get("errors") != "0":
        log(f"{name} {key} run (n={n}) failed: {guest or 'no result'}")
        b.r.fail(f"{name} {key} n={n}: {guest or 'no result'}")
        return
    if n and num(g.get("tsc")) is not None:
        b.r.add(f"{key}.{name}.tsc", float(g["tsc"]))
    ths = threads(text)
    io_ms, io_sw = thread_sum(ths, io)
    vc_ms, vc_sw = thread_sum(ths, vcpu)
    all_ms, all_sw = thread_sum(ths, ".")
    for col, v in zip(COLUMNS, (io_ms, io_sw, vc_ms, vc_sw, all_ms, all_sw, all_ms - vc_ms)):
        b.r.add(series(key, name, n, col), v)


def rounds(b: Bench, key: str, nrounds: int, big: int, cmd_of, prefix: List[str] = (),
           round_end=None) -> None:
    """NROUNDS rounds; in each, every VMM with 0 and BIG requests, then
    ROUND_END(b, key, big, prefix).  CMD_OF(b, name, n) gives (cmd, io
    threads, vCPU threads), or None to skip that VMM."""
    for _ in range(nrounds):
        for n in (0, big):
            for name in ("minivmm", "qemu-microvm"):
                got = cmd_of(b, name, n)
                if got is None:
                    continue
                cmd, io, vcpu = got
                cmd = [*prefix, *cmd]
                b.r.commands[f"{key}.{name}"] = b.shown(cmd)
                run_one(b, key, name, n, io, vcpu, cmd)
        if round_end:
            round_end(b, key, big, list(prefix))


def blk_cmd(b: Bench, name: str, n: int) -> Optional[Tuple[List[str], str, str]]:
    t, img = b.tools, b.path("disk.img")
    app = ["-append", f"bench.action=blk bench.n={n}"]
    if name == "minivmm":
        return ([t["minivmm"], "-kernel", t["guest_bz"], "-m", str(RAM_MIB),
                 "-drive", f"file={img}", *app], "^virtio-blk", "^vcpu")
    if b.qemu_accel != "kvm":
        return None
    return ([b.qemu, *QEMU_DEVCOST, "-object", "iothread,id=io0", "-drive",
             f"file={img},if=none,id=d0,format=raw,cache=writeback,aio=threads",
             "-device", "virtio-blk-device,drive=d0,iothread=io0",
             "-kernel", t["guest_elf"], *app], "^(IO_io0|worker)", "^CPU_")


def blk(b: Bench) -> None:
    """e) virtio-blk: 4 KiB reads, one in flight, of a 64 MiB raw file in
    the page cache."""
    img = b.path("disk.img")
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    with open(img, "rb") as f:
        while f.read(1 << 20):
            pass
    log(f"device cost: {b.p['blk_runs']} x {{0, {b.p['blk_n']}}} virtio-blk reads of 4 KiB")
    rounds(b, "blk", b.p["blk_runs"], b.p["blk_n"], blk_cmd)


# e2) disk formats: (image, minivmm's format, QEMU too?)
DISK_IMAGES = (("raw", "raw", False), ("qcow2-alloc", "qcow2", True),
               ("qcow2-overlay", "qcow2", True))
DISK_OPS = ("read", "write")
DISK_GIB = 1


def disk_image(b: Bench, image: str) -> str:
    """The image of a disk-format run, made afresh where a run changes
    what it measures: the overlay's clusters are unallocated at every
    start.  raw: a sparse file; qcow2-alloc: every cluster allocated
    (preallocation=metadata); qcow2-overlay: empty, over the raw file."""
    raw = b.path("disk-f.raw")
    if not os.path.exists(raw):
        with open(raw, "wb") as f:
            f.truncate(DISK_GIB << 30)
    if image == "raw":
        return raw
    path = b.path(f"disk-f.{image}")
    if image == "qcow2-alloc" and os.path.exists(path):
        return path
    if os.path.exists(path):
        os.unlink(path)
    opts = (["-o", "preallocation=metadata", path, f"{DISK_GIB}G"] if image == "qcow2-alloc"
            else ["-b", raw, "-F", "raw", path])
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", *opts], check=True,
                   stdin=subprocess.DEVNULL)
    return path


def disk_cmd_of(image: str, fmt: str, qemu_too: bool, op: str):
    def cmd_of(b: Bench, name: str, n: int) -> Optional[Tuple[List[str], str, str]]:
        t = b.tools
        app = ["-append", f"bench.action=blk bench.n={n} bench.op={op} bench.order=scattered"]
        if name == "minivmm":
            img = disk_image(b, image)
            return ([t["minivmm"], "-kernel", t["guest_bz"], "-m", str(RAM_MIB),
                     "-drive", f"file={img},format={fmt}", *app], "^virtio-blk", "^vcpu")
        if b.qemu_accel != "kvm" or not qemu_too:
            return None
        img = disk_image(b, image)
        return ([b.qemu, *QEMU_DEVCOST, "-object", "iothread,id=io0", "-drive",
                 f"file={img},if=none,id=d0,format={fmt},cache=writeback,aio=threads",
                 "-device", "virtio-blk-device,drive=d0,iothread=io0",
                 "-kernel", t["guest_elf"], *app], "^(IO_io0|worker)", "^CPU_")
    return cmd_of


def disk_formats(b: Bench) -> None:
    """e2) 4 KiB reads and writes, one in flight, scattered over a 1 GiB
    disk (each block once: bench_blk.h), on a raw file, a qcow2 image with
    every cluster allocated and an empty qcow2 overlay over the raw file
    (reads go to the backing file, writes allocate), minivmm beside
    QEMU's qcow2 driver."""
    if not shutil.which("qemu-img"):
        b.r.notes["disk"] = "qemu-img (qemu-utils) is not installed"
        log(f"disk formats skipped: {b.r.notes['disk']}")
        return
    log(f"disk formats: {b.p['disk_runs']} x {{0, {b.p['disk_n']}}} scattered 4 KiB reads"
        " and writes on raw, qcow2 and a qcow2 overlay")
    # --quick (the smoke run): writes only, the overlay's path the longest
    for image, fmt, qemu_too in DISK_IMAGES:
        for op in DISK_OPS[1:] if b.quick else DISK_OPS:
            log(f"disk formats: {image}, {op}")
            rounds(b, f"blk-{image}-{op}", b.p["disk_runs"], b.p["disk_n"],
                   disk_cmd_of(image, fmt, qemu_too, op))
    for name in os.listdir(b.work):
        if name.startswith("disk-f."):
            os.unlink(b.path(name))


def net_cmd(b: Bench, name: str, n: int) -> Optional[Tuple[List[str], str, str]]:
    """The guest sends N frames of 64 payload bytes (polled TX) and halts
    once the device returned them all.  QEMU's virtio-net has no iothread:
    its TX runs in the main loop, so its "I/O threads" are all its
    non-vCPU threads."""
    t, ns = b.tools, b.netns_dev
    app = ["-append", f"bench.action=net bench.n={n}"]
    if name == "minivmm":
        return (["ip", "netns", "exec", ns, t["minivmm"], "-kernel", t["guest_bz"],
                 "-m", str(RAM_MIB), "-tap", "tap0", *app], "^net-", "^vcpu")
    if b.qemu_accel != "kvm":
        return None
    return (["ip", "netns", "exec", ns, b.qemu, *QEMU_DEVCOST, "-netdev",
             "tap,id=n0,ifname=tapq,script=no,downscript=no,vhost=off",
             "-device", "virtio-net-device,netdev=n0", "-kernel", t["guest_elf"], *app],
            "!^CPU_", "^CPU_")


def net_round_end(b: Bench, key: str, n: int, prefix: List[str]) -> None:
    """The device floor after each round's VMM runs: bench_netfloor sends N
    frames to tapf, one wake-up and one TAP write per frame, at the guest's
    pace in this round (minivmm's vCPU CPU time per frame so far)."""
    gap = dev_per(b, key, "minivmm", n, "vcpu_ms", 1000)
    gap_us = int(gap) if gap is not None and gap >= 0 else 150
    cmd = [*prefix, "ip", "netns", "exec", b.netns_dev, b.tools["netfloor"],
           "-i", "tapf", "-n", str(n), "-g"]
    p = subprocess.run([*cmd, str(gap_us)], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        log(f"device floor ({key}) failed: {p.stdout.strip()}")
        b.r.fail(f"floor {key}: {p.stdout.strip()}")
        return
    for k, v in kv(p.stdout.replace("\n", " ")).items():
        if num(v) is not None and re.fullmatch(r"[a-z_]+", k):
            b.r.add(f"{key}.floor.{k}", float(v))
    b.r.commands[f"{key}.floor"] = b.shown(cmd) + " GAP_US"


def net(b: Bench) -> None:
    """f) virtio-net, default placement, then every thread of each VMM (and
    of the floor) on one host CPU (taskset -c 0)."""
    ns, peer = f"mvt-benchnet-{os.getpid()}", f"mvt-benchpeer-{os.getpid()}"
    if not b.netns("devnet", ns, peer):
        b.r.notes["net"] = "could not build the test network (ip netns, tun, bridge, veth)"
        log(f"virtio-net device cost skipped: {b.r.notes['net']}")
        b.netns_del(ns, peer)
        return
    b.netns_dev = ns
    log(f"device cost: {b.p['net_runs']} x {{0, {b.p['net_n']}}} virtio-net frames of 64 bytes, and the floor")
    rounds(b, "net", b.p["net_runs"], b.p["net_n"], net_cmd, round_end=net_round_end)
    log("device cost on one host CPU (taskset -c 0)")
    rounds(b, "net-1cpu", b.p["net_runs"], b.p["net_n"], net_cmd,
           prefix=["taskset", "-c", "0"], round_end=net_round_end)
    b.netns_del(peer, ns)
