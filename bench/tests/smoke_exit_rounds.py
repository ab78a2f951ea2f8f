# SPDX-License-Identifier: MIT
"""bench/exit-rounds.sh with stand-ins for the floor and minivmm (shell
scripts that print a byte and exit) in two build directories: every
contender (and each EXIT_ROUNDS_VARIANTS one) takes its turn each round,
a time budget ends the rounds early, and the summary gives each one's
spread and the ratios, to its own build's floor and to the first's, with
the same-round spread.  The real bench_stamp (BENCH_TOOLS_DIR); no KVM,
not a timing test."""

import os
import re
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.environ.get("BENCH_TOOLS_DIR", "")
STANDIN = "#!/bin/sh\nsleep ${STANDIN_SLEEP:-0}\nprintf '%s'\n"


def fake_build(top, name, full_guest):
    b = os.path.join(top, name)
    os.makedirs(os.path.join(b, "bench"))
    os.symlink(os.path.join(TOOLS, "bench_stamp"), os.path.join(b, "bench", "bench_stamp"))
    for path, byte in (("bench/bench_floor", "F"), ("minivmm", "!")):
        with open(os.path.join(b, path), "w") as f:
            f.write(STANDIN % byte)
        os.chmod(os.path.join(b, path), 0o755)
    guests = ["benchguest-off.bzImage"] + (["benchguest.bzImage"] if full_guest else [])
    for g in guests:
        open(os.path.join(b, "bench", g), "w").close()
    return b


@unittest.skipUnless(os.access(os.path.join(TOOLS, "bench_stamp"), os.X_OK),
                     "BENCH_TOOLS_DIR has no bench_stamp (ctest sets it)")
class ExitRounds(unittest.TestCase):
    def test_two_builds_three_rounds(self):
        with tempfile.TemporaryDirectory() as top:
            dyn = fake_build(top, "build", True)
            sta = fake_build(top, "build-static", False)
            env = dict(os.environ, EXIT_ROUNDS_VARIANTS="-rng off;-mem-thp off -rng off")
            out = subprocess.run(["bash", os.path.join(HERE, "exit-rounds.sh"), dyn, "3", sta],
                                 capture_output=True, text=True, timeout=60, check=True,
                                 env=env).stdout
        names = ["floor@build", "minivmm-off@build", "minivmm-off+-rngoff@build",
                 "minivmm-off+-mem-thpoff-rngoff@build", "minivmm@build",
                 "floor@build-static", "minivmm-off@build-static"]
        for n in names:
            self.assertEqual(len(re.findall(r"^%s exit_ms=[\d.]+ first_ms=[\d.]+ round=\d$" % re.escape(n),
                                            out, re.M)), 3, out)
            self.assertRegex(out, r"stats %s exit n=3 min=[\d.]+ q1=[\d.]+ median=[\d.]+ "
                             r"q3=[\d.]+ max=[\d.]+ first median=[\d.]+" % re.escape(n))
        same = r" exit [\d.]+; same-round ratios n=3 min=[\d.]+ q1=[\d.]+ median=[\d.]+"
        for pair in ("minivmm-off@build/floor@build", "minivmm@build/floor@build",
                     "minivmm-off+-rngoff@build/floor@build",
                     "floor@build-static/floor@build",
                     "minivmm-off@build-static/floor@build-static",
                     "minivmm-off@build-static/floor@build"):
            self.assertRegex(out, "ratio " + re.escape(pair) + same)
        # Rotated: the first contender of each round differs.
        firsts = re.findall(r"^(\S+) exit_ms=.* round=(\d)$", out, re.M)
        starts = {r: n for n, r in reversed(firsts)}
        self.assertEqual(len(set(starts.values())), 3, out)

    def test_budget_stops_early_and_still_sums_up(self):
        with tempfile.TemporaryDirectory() as top:
            b = fake_build(top, "build", False)
            env = dict(os.environ, EXIT_ROUNDS_BUDGET="1", STANDIN_SLEEP="0.3")
            out = subprocess.run(["bash", os.path.join(HERE, "exit-rounds.sh"), b, "50"],
                                 capture_output=True, text=True, timeout=60, check=True,
                                 env=env).stdout
        done = re.search(r"^budget of 1 s spent: (\d+) rounds done$", out, re.M)
        self.assertTrue(done, out)
        self.assertLess(int(done[1]), 50)
        self.assertIn("stats floor@build exit n=%s " % done[1], out)

if __name__ == "__main__":
    unittest.main()
