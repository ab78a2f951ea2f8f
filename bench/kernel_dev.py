#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/kernel_dev.py - the kernel development loop (issue 16, docs/
kernel-dev.md) beside QEMU, on the same kernel, in the same run:

  exit    exec -> exit of `minivmm -rootfs / -run true` against QEMU microvm
          booting the same kernel on the same root over virtio-9p
          (`-fsdev local` + `virtio-9p-device`) with an init that does what
          minivmm's does (the kit's kdev-init, a busybox script after
          virtme's initramfs for modular kernels); rounds alternate.
  fsread  host CPU per file read through minivmm's virtio-fs (`-share`)
          and QEMU's virtio-9p, the same files, the same guest script,
          sampled from /proc/PID/task/*/ at markers the guest prints.

It runs where /dev/kvm is (here: the nested harness' L1) on the kit that
bench/provision/kdev-kit.sh builds; docs/benchmarks.md, "Kernel
development loop", shows how.  Prints one line per run, then a summary
(medians, ratios) as a Markdown table.  Standard library only: in L1 it
runs on the kit's Python (bench/provision/py-kit.sh)."""

import argparse
import os
import re
import select
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lib import stats  # noqa: E402

MEM_MIB = 256
# The QEMU side: microvm, QEMU's fastest start (docs/benchmarks.md a).
QEMU_BASE = ["-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", str(MEM_MIB),
             "-smp", "1", "-display", "none", "-serial", "stdio", "-no-reboot",
             "-nodefaults", "-no-user-config", "-name", "kdev,debug-threads=on",
             "-global", "virtio-mmio.force-legacy=false"]
# As minivmm's -rootfs command line (vmm/rootfs.h), plus the init's input.
QEMU_APPEND = "console=ttyS0 quiet panic=-1"
ROOT_TAG = "kdevroot"
BENCH_TAG = "kdevbench"
MARKS = ("KDEV-A", "KDEV-B", "KDEV-C", "KDEV-D")
# vCPU threads: minivmm "vcpuN", QEMU "CPU N/KVM" (debug-threads=on).
VCPU_RE = re.compile(r"^(vcpu[0-9]+|CPU [0-9]+/KVM)$")


def minivmm_cmd(a, extra, run):
    return [a.minivmm, "-kernel", a.kernel, "-rootfs", "/", "-m", str(MEM_MIB),
            "-smp", "1", *extra, "-run", run]


def qemu_cmd(a, extra, run):
    """run: a path or a word without blanks (the init gets it as kdevrun=)."""
    return [a.qemu, *QEMU_BASE, "-kernel", a.kernel, "-initrd", a.initrd,
            # multidevs=remap: / spans several file systems (as virtme-ng)
            "-fsdev", "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap",
            "-device", f"virtio-9p-device,fsdev=root,mount_tag={ROOT_TAG}",
            *extra, "-append", f"{QEMU_APPEND} kdevroot={ROOT_TAG} kdevrun={run}"]


def shown(cmd):
    return " ".join(c if c and not re.search(r"[\s'\"]", c) else repr(c) for c in cmd)


# ---- exec -> exit ----

def parse_stamp(line):
    """bench_stamp's "first_us=F exit_us=E rc=R": {name: int}."""
    return {k: int(v) for k, v in re.findall(r"(\w+)=(-?[0-9]+)", line)}


def run_exit(a):
    contenders = [("minivmm", minivmm_cmd(a, [], "true")),
                  ("qemu-9p", qemu_cmd(a, [], "true"))]
    for name, cmd in contenders:
        print(f"command {name}: {shown(cmd)}")
    times = {name: [] for name, _ in contenders}
    for r in range(a.rounds):
        for k in range(len(contenders)):
            name, cmd = contenders[(k + r) % len(contenders)]   # rotated
            out = subprocess.run([a.stamp, "-t", str(a.timeout), "--", *cmd],
                                 stdin=subprocess.DEVNULL, capture_output=True,
                                 text=True).stdout
            got = parse_stamp(out)
            if got.get("rc") != 0 or "exit_us" not in got:
                print(f"{name} failed: {out.strip()}")
                continue
            times[name].append(got["exit_us"] / 1000.0)
            print(f"{name} exit_ms={got['exit_us'] / 1000.0:.1f}", flush=True)
    print_exit_table(times)
    return 0 if all(times.values()) else 1


def print_exit_table(times):
    base = stats.median(times["minivmm"])
    print("\n| VMM | runs | min ms | median ms | max ms | x minivmm |")
    print("|---|---|---|---|---|---|")
    for name, v in times.items():
        s = stats.summary(v)
        if not s:
            print(f"| {name} | 0 | - | - | - | - |")
            continue
        print(f"| {name} | {s.n} | {s.min:.1f} | {s.median:.1f} | {s.max:.1f} "
              f"| {stats.fmt(stats.ratio(s.median, base), 2)} |")
    r = stats.ratio(base, stats.median(times["qemu-9p"]))
    print(f"\nratio minivmm/qemu-9p exec->exit {stats.fmt(r, 2)}")


# ---- host CPU per file read ----

def thread_cpu_ns(pid):
    """{tid: (comm, cpu ns)} of every live thread of pid: se.sum_exec_runtime
    from /proc/PID/task/T/sched (ns), else utime+stime ticks from stat."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out          # it has ended
    for tid in tids:
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(f"{base}/comm") as f:
                comm = f.read().strip()
            ns = sched_runtime_ns(f"{base}/sched")
            if ns is None:
                with open(f"{base}/stat") as f:
                    ns = stat_ticks(f.read()) * 1e9 / tick
        except OSError:
            continue        # the thread ended meanwhile
        out[tid] = (comm, ns)
    return out


def sched_runtime_ns(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"se\.sum_exec_runtime\s*:\s*([0-9.]+)", text)
    return float(m.group(1)) * 1e6 if m else None     # the file says ms


def stat_ticks(text):
    """utime + stime of a /proc/.../stat line (comm may hold blanks)."""
    f = text[text.rindex(")") + 2:].split()
    return int(f[11]) + int(f[12])


def process_cpu_ns(pid):
    """CPU of the whole process, threads that have ended included (a
    thread pool's workers come and go: QEMU's 9p runs in them), in ns of
    clock-tick precision; None once it has gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return stat_ticks(f.read()) * 1e9 / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def non_vcpu_ns(total_ns, threads):
    """The process's CPU minus its vCPU threads' (guest code and exits
    included, not the device's work)."""
    return total_ns - sum(ns for comm, ns in threads.values() if VCPU_RE.match(comm))


def make_files(top, n_small, n_big):
    """n_small 4 KiB files in top/s, n_big 1 MiB files in top/b, random
    bytes (nothing for a cache to fold)."""
    shutil.rmtree(top, ignore_errors=True)
    for sub, n, size in (("s", n_small, 4096), ("b", n_big, 1 << 20)):
        os.makedirs(f"{top}/{sub}")
        for i in range(n):
            with open(f"{top}/{sub}/f{i:05d}", "wb") as f:
                f.write(os.urandom(size))


GUEST_SCRIPT = """#!/bin/sh
# kernel_dev.py fsread, in the guest: mount the bench share, then the
# markers the host samples the VMM's threads at, each followed by a pause
# long enough for the host to read /proc before the next phase starts.
mkdir -p /kdevmnt
mount -t {fstype} {opts} {tag} /kdevmnt || {{ echo KDEV-MOUNT-FAILED; exit 3; }}
ls /kdevmnt/s /kdevmnt/b >/dev/null
echo KDEV-A; sleep {pause}
echo KDEV-B; sleep {pause}
cat /kdevmnt/s/* >/dev/null
echo KDEV-C; sleep {pause}
cat /kdevmnt/b/* >/dev/null
echo KDEV-D; sleep {pause}
"""


def guest_script(path, fstype, opts, pause):
    with open(path, "w") as f:
        f.write(GUEST_SCRIPT.format(fstype=fstype, opts=opts, tag=BENCH_TAG, pause=pause))
    os.chmod(path, 0o755)


def sample_at_marks(cmd, timeout):
    """Run cmd; at each marker line of MARKS read the time and every
    thread's CPU.  {mark: (seconds, non-vCPU ns, {comm: ns})}, exit status."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    got, buf, end = {}, b"", time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            r, _, _ = select.select([p.stdout], [], [], 1.0)
            if not r:
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            for m in MARKS:
                if m not in got and re.search(rb"(^|\n)" + m.encode() + rb"\r?\n", buf):
                    total, s = process_cpu_ns(p.pid), thread_cpu_ns(p.pid)
                    if total is not None:
                        got[m] = (time.monotonic(), non_vcpu_ns(total, s),
                                  {c: ns for c, ns in s.values()})
            if b"KDEV-MOUNT-FAILED" in buf:
                break
        rc = p.wait(timeout=max(1.0, end - time.monotonic()))
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    if len(got) < len(MARKS):
        sys.stdout.write(buf.decode(errors="replace")[-3000:])
    return got, rc


def per_file_us(got, n_small, n_big):
    """(us per 4 KiB file, us per 1 MiB file) of non-vCPU CPU, the idle
    rate (A->B, a pause only) taken out of each phase."""
    (ta, ca, _), (tb, cb, _), (tc, cc, _), (td, cd, _) = (got[m] for m in MARKS)
    idle = max(0.0, (cb - ca) / (tb - ta)) if tb > ta else 0.0     # ns per second
    small = (cc - cb - idle * (tc - tb)) / n_small / 1000.0
    big = (cd - cc - idle * (td - tc)) / n_big / 1000.0
    return small, big


# minivmm's thread serving the bench share (-rootfs's share is virtio-fs0).
SHARE_THREAD = "virtio-fs1"


def share_thread_us(got, n_small, n_big):
    """(us per 4 KiB file, per 1 MiB file) of SHARE_THREAD alone, or None
    (QEMU has no such thread)."""
    try:
        b, c, d = (got[m][2][SHARE_THREAD] for m in MARKS[1:])
    except KeyError:
        return None
    return (c - b) / n_small / 1000.0, (d - c) / n_big / 1000.0


def run_fsread(a):
    top = a.work
    files = f"{top}/files"
    make_files(files, a.n_small, a.n_big)
    guest_script(f"{top}/guest-virtiofs.sh", "virtiofs", "", a.pause)
    guest_script(f"{top}/guest-9p.sh", "9p", "-o trans=virtio,version=9p2000.L,ro",
                 a.pause)
    contenders = [
        ("minivmm", minivmm_cmd(a, ["-share", f"{files},tag={BENCH_TAG}"],
                                f"sh {top}/guest-virtiofs.sh")),
        ("qemu-9p", qemu_cmd(a, ["-fsdev", f"local,id=bench,path={files},"
                                 "security_model=none,readonly=on",
                                 "-device", f"virtio-9p-device,fsdev=bench,"
                                 f"mount_tag={BENCH_TAG}"],
                             f"{top}/guest-9p.sh")),
    ]
    for name, cmd in contenders:
        print(f"command {name}: {shown(cmd)}")
    small = {n: [] for n, _ in contenders}
    big = {n: [] for n, _ in contenders}
    for r in range(a.rounds):
        for k in range(len(contenders)):
            name, cmd = contenders[(k + r) % len(contenders)]
            got, rc = sample_at_marks(cmd, a.timeout)
            if len(got) < len(MARKS):
                print(f"{name} failed: rc {rc}, markers {sorted(got)}")
                continue
            s, b = per_file_us(got, a.n_small, a.n_big)
            small[name].append(s)
            big[name].append(b)
            threads = got["KDEV-D"][2]
            busy = ", ".join(f"{c}={ns / 1e6:.0f}ms" for c, ns in sorted(threads.items()))
            print(f"{name} us_per_4k_file={s:.1f} us_per_1m_file={b:.1f} rc={rc} "
                  f"(threads at the end: {busy})", flush=True)
            share = share_thread_us(got, a.n_small, a.n_big)
            if share:
                print(f"{name} {SHARE_THREAD} alone: us_per_4k_file={share[0]:.1f} "
                      f"us_per_1m_file={share[1]:.1f}")
    print(f"\n{a.n_small} files of 4 KiB, {a.n_big} of 1 MiB, each read once "
          f"(cat); host CPU of the process (ended threads included) minus its "
          f"vCPU threads, us per file")
    print("\n| VMM | runs | per 4 KiB file (median) | per 1 MiB file (median) |")
    print("|---|---|---|---|")
    for name, _ in contenders:
        print(f"| {name} | {len(small[name])} | {stats.fmt(stats.median(small[name]))} "
              f"| {stats.fmt(stats.median(big[name]))} |")
    for label, v in (("4k", small), ("1m", big)):
        r = stats.ratio(stats.median(v["minivmm"]), stats.median(v["qemu-9p"]))
        print(f"ratio minivmm/qemu-9p cpu_per_{label}_file {stats.fmt(r, 2)}")
    return 0 if all(small.values()) else 1


# ---- L1 set-up from the kit ----

def install_modules(kit, root):
    """The kit's root/ (the bench kernel's /lib/modules/RELEASE, what
    minivmm -rootfs / loads from the host's root) into root (/ in L1);
    files already there are kept."""
    src = os.path.join(kit, "root")
    for d, _, names in os.walk(src):
        dst = os.path.join(root, os.path.relpath(d, src))
        os.makedirs(dst, exist_ok=True)
        for n in names:
            if not os.path.exists(os.path.join(dst, n)):
                shutil.copy(os.path.join(d, n), os.path.join(dst, n))


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/kernel_dev.py",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=("exit", "fsread"))
    p.add_argument("--kit", required=True, help="bench/provision/kdev-kit.sh's output")
    p.add_argument("--minivmm", default=os.environ.get("MINIVMM", "minivmm"))
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--n-small", type=int, default=200)
    p.add_argument("--n-big", type=int, default=16)
    p.add_argument("--pause", type=int, default=2, help="seconds after each marker")
    p.add_argument("--timeout", type=int, default=240, help="per run, seconds")
    p.add_argument("--work", default="/kdev-bench",
                   help="fsread: the files and guest scripts (under the shared root)")
    p.add_argument("--modules-root", default="/",
                   help="where the kit's root/ (kernel modules) goes")
    a = p.parse_args(argv)
    a.kernel = os.path.join(a.kit, "vmlinuz")
    a.initrd = os.path.join(a.kit, "kdev-9p.cpio")
    a.stamp = os.path.join(a.kit, "bench_stamp")
    return a


def main(argv):
    a = parse_args(argv)
    install_modules(a.kit, a.modules_root)
    with open("/proc/loadavg") as f:
        print(f"load {' '.join(f.read().split()[:3])}, {os.cpu_count()} CPUs, "
              f"{a.rounds} rounds, kernel {a.kernel}")
    return run_exit(a) if a.what == "exit" else run_fsread(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
