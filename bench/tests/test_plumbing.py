# SPDX-License-Identifier: MIT
"""The runner's plumbing end to end without KVM: bench/run.py's sections
with stand-ins for minivmm and the floor (tests/fake/), the real
bench_stamp and bench_netfloor, no QEMU; then the results file, the
document and the namespaces left behind.  Needs root (namespaces, TAPs)
and the built tools (BENCH_TOOLS_DIR, set by ctest: guest/bench_plumbing);
skipped otherwise, so `python3 -m unittest` anywhere stays quick."""

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import run  # noqa: E402
from lib import measure_vm  # noqa: E402
from lib.context import Bench  # noqa: E402
from lib.results import Results  # noqa: E402

TOOLS = os.environ.get("BENCH_TOOLS_DIR", "")


def namespaces() -> set:
    out = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


@unittest.skipUnless(TOOLS and os.geteuid() == 0, "needs root and BENCH_TOOLS_DIR")
class Plumbing(unittest.TestCase):
    def test_quick_run_with_stand_ins(self):
        fake = os.path.join(HERE, "fake")
        before = namespaces()
        with tempfile.TemporaryDirectory() as work:
            r = Results("main")
            b = Bench(run.TOP, work, True, r)
            b.qemu = "/nonexistent/qemu-system-x86_64"
            b.tools = dict(minivmm=os.path.join(fake, "minivmm"),
                           floor=os.path.join(fake, "floor"),
                           stamp=os.path.join(TOOLS, "bench_stamp"),
                           netfloor=os.path.join(TOOLS, "bench_netfloor"),
                           guest_bz=os.path.join(TOOLS, "benchguest.bzImage"),
                           guest_elf=os.path.join(TOOLS, "benchguest.elf"))
            args = run.parse_args(["--quick", "--no-hw", "--no-install",
                                   "--out", os.path.join(work, "out/b.md")])
            try:
                run.meta(b, args)
                r.meta["build"] = "stand-ins"
                # the stand-ins are scripts: sizes are of the real programs
                saved = b.tools
                b.tools = dict(saved, minivmm=os.path.join(TOOLS, "..", "minivmm"),
                               floor=os.path.join(TOOLS, "bench_floor"))
                measure_vm.size(b)
                b.tools = saved
                for step in (measure_vm.qemu_probe, measure_vm.startup, measure_vm.memory,
                             measure_vm.rate):
                    step(b)
                from lib import measure_dev, measure_hw, measure_netboot
                measure_dev.blk(b)
                measure_dev.disk_formats(b)
                measure_dev.net(b)
                measure_netboot.netboot(b)
                measure_hw.run(b, "", True, True)
                r.meta["load_end"] = "-"
                with contextlib.redirect_stdout(io.StringIO()):
                    run.finish(b, r, args, 0)
            finally:
                b.cleanup()
            with open(os.path.join(work, "out/b.md")) as f:
                doc = f.read()
            back = Results.load(os.path.join(work, "out/b.json"))
        self.assertEqual(namespaces() - before, set(), "namespaces left behind")
        for key in ("start.floor.first", "start.minivmm.first", "start.minivmm.banner",
                    "start.minivmm.exit", "phase.minivmm.first_KVM_RUN", "phase.minivmm.cpu",
                    "phase.floor.vCPU_in_long_mode", "mem.minivmm.overhead_kb",
                    "rate.minivmm.slice", "blk.minivmm.100.io_ms", "blk.minivmm.0.all_ms",
                    "blk.minivmm.tsc", "net.minivmm.1000.nonvcpu_ms",
                    "net-1cpu.minivmm.1000.vcpu_ms", "net.floor.per_frame_us",
                    "net-1cpu.floor.wakeups", "blk-qcow2-overlay-write.minivmm.100.io_ms"):
            self.assertTrue(back.has(key), key)
        self.assertGreater(back.values["rate.minivmm.cycles"], 0)
        self.assertIn("did not boot the guest here (exit 3)", back.notes["netboot"])
        self.assertTrue(back.notes["hw"])   # this host's reason, or --no-hw
        self.assertIn("## f) Device cost: virtio-net", doc)
        self.assertIn("## e2) Disk formats", doc)
        self.assertNotIn("qemu", " ".join(back.series))


if __name__ == "__main__":
    unittest.main()
