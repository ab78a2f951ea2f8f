# SPDX-License-Identifier: MIT
"""bench/format_cost.py end to end with a few requests (ctest:
unit/bench_format_cost): bench_disk_format (BENCH_TOOLS_DIR) and
qemu-img bench run every case, their output parses, every series has
its numbers and the table renders.  Not a timing test: the costs of so
few requests are noise.  Named so that unit/bench_python's discovery
(test*.py, no built tools) leaves it out."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path.insert(0, BENCH)

import format_cost  # noqa: E402

TOOL = os.path.join(os.environ.get("BENCH_TOOLS_DIR", ""), "bench_disk_format")


class FormatCostSmoke(unittest.TestCase):
    def test_usage_errors(self):
        r = subprocess.run([TOOL, "-n", "x", "img"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage:", r.stderr)
        r = subprocess.run([TOOL, "/nonexistent/disk.img"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)
        # -c takes no format and no -w; a missing source is one line, 1
        r = subprocess.run([TOOL, "-c", "out", "-w", "img"], capture_output=True)
        self.assertEqual(r.returncode, 2)
        r = subprocess.run([TOOL, "-c", "/nonexistent/out", "/nonexistent/f"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)

    def test_runs_and_parses(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "res.json")
            r = subprocess.run([sys.executable, "-B", os.path.join(BENCH, "format_cost.py"),
                                "--tool", TOOL, "--n", "20", "--n-alloc", "5",
                                "--runs", "1", "--dir", os.path.join(d, "img"),
                                "--json", out], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(out) as f:
                res = json.load(f)
        for op, image, _ in format_cost.cases():
            n = format_cost.count(res["n"], res["n_alloc"], op, image)
            for prog in format_cost.PROGRAMS:
                if prog != "minivmm" and image in format_cost.MINIVMM_ONLY:
                    continue
                for k in (n, 0):
                    runs = res["series"]["%s.%s.%s.%d" % (op, image, prog, k)]
                    self.assertEqual(len(runs), 1)
                    self.assertGreater(runs[0], 0)
        # 3 reads, 5 writes (the write into a hole and the copy's floor
        # are writes only, the floor for bench_disk_format only)
        self.assertEqual(len(res["commands"]), 15)
        text = format_cost.render(res)
        rows = [l for l in text.splitlines() if l.startswith("|")]
        self.assertEqual(len(rows), 2 + 8)
        self.assertIn("x a raw write into a hole", text)
        self.assertIn("x the copy's floor", text)
        for row in rows:
            self.assertEqual(row.count("|"), 8, row)


if __name__ == "__main__":
    unittest.main()
