#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Save and restore speed: minivmm's snapshots beside QEMU's migration to a
file and -incoming, on the same Debian kernel and test initramfs.

    bench/snapshot_restore.py --minivmm build/minivmm --qemu qemu-system-x86_64 \\
        --kernel vmlinuz --initrd initrd.img [--mem 256,2048] [--runs 3] [--restores 10] \\
        [--dir DIR] [--vmm minivmm,qemu]

Needs a usable /dev/kvm (a KVM host, or L1 of the nested harness:
tests/nested/run.sh with MVT_NESTED_QEMU=1).  The guest is the layer-3
initramfs running tests/linux/guest/snap_bench.sh: it prints "MVT
snap=ready", then waits for a line on its console and answers "MVT
out=Linux".  For each RAM size and each VMM:

  save     the VM, booted and waiting, is saved to a file and stops:
           minivmm: QMP x-minivmm-save {"quit": true}; QEMU: QMP migrate
           to "exec:cat > FILE" (live; done when query-migrate says
           "completed"), then quit.  Time of the QMP exchange.
  first    exec of the restoring process -> the first byte the restored
           guest writes (its tty echoing the newlines typed in meanwhile).
  output   exec -> the command's output ("MVT out=").
           minivmm: -restore FILE; QEMU: the same command line as the
           boot plus -incoming "exec:cat FILE" (it runs on by itself).

Each save is restored --restores times (the file stays as it was: minivmm
maps it privately, QEMU reads it), the VMMs taking turns, so a noisy host
loads both alike.  Prints one line per measurement, a table of medians
with the ratio QEMU / minivmm ("n/a" where a VMM could not run, with its
reason above) and the spread of every measure; --json FILE writes the raw numbers.  Exit status 0.  Standard library only.
"""
import argparse
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time

READY = b"MVT snap=ready"
OUT = b"MVT out="
APPEND = "console=ttyS0 quiet panic=-1 mvt.run=snap_bench"


class Qmp:
    """Just enough QMP: greeting, negotiation, commands (events skipped)."""

    def __init__(self, path, timeout=600.0):
        deadline = time.monotonic() + 30
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.s.settimeout(timeout)
        self.f = self.s.makefile("rb")
        self.read()
        self.cmd("qmp_capabilities")

    def read(self):
        line = self.f.readline()
        if not line:
            raise RuntimeError("QMP connection closed")
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.s.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.read()
            if "return" in r or "error" in r:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (name, r["error"].get("desc")))
                return r["return"]

    def close(self):
        self.s.close()


class Vm:
    """A VMM process with its console on pipes."""

    def __init__(self, cmd):
        self.t0 = time.monotonic()
        # stderr apart: a VMM's warnings are not the guest's first byte.
        self.err = tempfile.TemporaryFile()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err)
        self.buf = b""
        self.first = None

    def type(self, text):
        self.p.stdin.write(text)
        self.p.stdin.flush()

    def wait_for(self, what, timeout=300.0, poke=False):
        """Seconds from exec until `what` appeared in the output.  poke:
        type a newline every 20 ms meanwhile (a line typed while a QEMU
        still loads its state can be lost with the UART's old state)."""
        deadline = time.monotonic() + timeout
        while what not in self.buf:
            left = deadline - time.monotonic()
            if poke:
                self.type(b"\n")
                left = min(left, 0.02)
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                if poke and deadline > time.monotonic():
                    continue
                raise RuntimeError("no %r within %d s; output:\n%s" %
                                   (what, timeout, self.buf[-2000:].decode(errors="replace")))
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                self.err.seek(0)
                raise RuntimeError("exited (%s) before %r; output:\n%s\nstderr:\n%s" %
                                   (self.p.wait(), what, self.buf[-2000:].decode(errors="replace"),
                                    self.err.read()[-2000:].decode(errors="replace")))
            if self.first is None:
                self.first = time.monotonic() - self.t0
            self.buf += chunk
        return time.monotonic() - self.t0

    def end(self, timeout=60):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


def boot_cmd(a, vmm, mem, qmp):
    if vmm == "minivmm":
        return [a.minivmm, "-kernel", a.kernel, "-initrd", a.initrd, "-m", str(mem),
                "-append", APPEND, "-qmp", "unix:%s,server=on,wait=off" % qmp]
    return [a.qemu, "-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", str(mem),
            "-display", "none", "-serial", "stdio", "-no-reboot", "-nodefaults",
            "-no-user-config", "-kernel", a.kernel, "-initrd", a.initrd,
            "-append", APPEND, "-qmp", "unix:%s,server=on,wait=off" % qmp]


def save(a, vmm, mem, work):
    qmp, snap = os.path.join(work, vmm + ".qmp"), os.path.join(work, vmm + ".snap")
    for p in (qmp, snap):
        if os.path.exists(p):
            os.unlink(p)
    vm = Vm(boot_cmd(a, vmm, mem, qmp))
    vm.wait_for(READY)
    c = Qmp(qmp)
    t0 = time.monotonic()
    if vmm == "minivmm":
        c.cmd("x-minivmm-save", file=snap, quit=True)
    else:
        c.cmd("migrate", uri="exec:cat > " + snap)
        while c.cmd("query-migrate").get("status") not in ("completed", "failed"):
            time.sleep(0.01)
    took = time.monotonic() - t0
    if vmm != "minivmm":
        c.cmd("quit")
    c.close()
    vm.end()
    return took, snap


def restore(a, vmm, mem, work, snap):
    if vmm == "minivmm":
        cmd = [a.minivmm, "-restore", snap]
    else:
        cmd = boot_cmd(a, vmm, mem, os.path.join(work, "in.qmp")) + ["-incoming", "exec:cat " + snap]
    vm = Vm(cmd)
    out = vm.wait_for(OUT, poke=True)
    first = vm.first
    vm.p.kill()
    vm.end()
    return first, out


def failed(mem, vmm, run, e):
    """One line for a measurement that could not be taken."""
    # e.g. QEMU cannot allocate 2 GiB in the nested harness' 2 GiB L1
    why = [l for l in str(e).splitlines() if l.strip()]
    print("%5d MiB %-7s run %d: failed: %s" % (mem, vmm, run + 1, why[-1] if why else e),
          flush=True)


def spread(v):
    """n, min / q1 / median / q3 / max of the numbers v."""
    v = sorted(v)
    if len(v) < 2:
        return "n=%d %.1f" % (len(v), v[0]) if v else "n=0"
    q1, q2, q3 = statistics.quantiles(v, n=4, method="inclusive")
    return "n=%d %.1f / %.1f / %.1f / %.1f / %.1f" % (len(v), v[0], q1, q2, q3, v[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minivmm", required=True)
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--mem", default="256,2048", help="MiB, comma-separated")
    ap.add_argument("--runs", type=int, default=1, help="saves per VMM and RAM size")
    ap.add_argument("--restores", type=int, default=1,
                    help="restores of each save, the VMMs taking turns")
    ap.add_argument("--vmm", default="minivmm,qemu",
                    help="which VMMs, comma-separated (default: both)")
    ap.add_argument("--budget", type=float, default=0,
                    help="seconds: start no more restores after this long (0: no limit)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the last snapshot files (DIR/VMM.snap) for a profile")
    ap.add_argument("--dir", help="where the snapshot files go (default: a temporary directory)")
    ap.add_argument("--json", help="write the raw numbers here")
    a = ap.parse_args()
    vmms = [v for v in a.vmm.split(",") if v]
    if not vmms or any(v not in ("minivmm", "qemu") for v in vmms):
        ap.error("--vmm: minivmm and/or qemu")
    work = a.dir or tempfile.mkdtemp(prefix="snapbench.")
    t_start = time.monotonic()
    res = {}
    for mem in [int(m) for m in a.mem.split(",")]:
        for run in range(a.runs):
            snaps = {}
            for vmm in vmms:
                try:
                    took, snap = save(a, vmm, mem, work)
                except (RuntimeError, OSError) as e:
                    failed(mem, vmm, run, e)
                    continue
                snaps[vmm] = snap
                size = os.stat(snap)
                res.setdefault("%d.%s.save" % (mem, vmm), []).append(took * 1000)
                print("%5d MiB %-7s run %d: save %7.1f ms; file %d MiB (%d MiB on disk)" % (
                    mem, vmm, run + 1, took * 1000, size.st_size >> 20,
                    size.st_blocks * 512 >> 20), flush=True)
            # The VMMs take turns, so that both see the same load.
            order = [v for v in vmms if v in snaps]
            for i in range(a.restores if order else 0):
                if a.budget and time.monotonic() - t_start > a.budget:
                    print("budget of %d s spent after %d restores of each" % (a.budget, i), flush=True)
                    break
                turn = i % len(order)
                for vmm in order[turn:] + order[:turn]:
                    try:
                        first, out = restore(a, vmm, mem, work, snaps[vmm])
                    except (RuntimeError, OSError) as e:
                        failed(mem, vmm, run, e)
                        continue
                    for k, v in (("first", first), ("output", out)):
                        res.setdefault("%d.%s.%s" % (mem, vmm, k), []).append(v * 1000)
                    print("%5d MiB %-7s run %d restore %d: first byte %7.1f ms, output %7.1f ms" % (
                        mem, vmm, run + 1, i + 1, first * 1000, out * 1000), flush=True)
            if not a.keep:
                for snap in snaps.values():
                    os.unlink(snap)
    print("\n| RAM | measure | minivmm ms | QEMU ms | QEMU / minivmm |")
    print("|---|---|---|---|---|")
    for mem in [int(m) for m in a.mem.split(",")]:
        for k in ("save", "first", "output"):
            m = res.get("%d.minivmm.%s" % (mem, k))
            q = res.get("%d.qemu.%s" % (mem, k))
            mm = statistics.median(m) if m else None
            qm = statistics.median(q) if q else None
            print("| %d MiB | %s | %s | %s | %s |" % (
                mem, k, "%.1f" % mm if m else "n/a", "%.1f" % qm if q else "n/a",
                "%.1f" % (qm / mm) if m and q else "n/a"))
    print("\nSpread (n, min / q1 / median / q3 / max, ms):")
    for key in sorted(res):
        print("  %-22s %s" % (key, spread(res[key])))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
