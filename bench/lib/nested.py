# SPDX-License-Identifier: MIT
"""--nested: the hardware part in the nested harness' L1 (tests/nested/
run.sh, QEMU TCG with an emulated AMD SVM), for the harness' correctness
only.  The kit is built here and handed to L1 (MVT_NESTED_EXTRA) with a
Python runtime (bench/provision/py-kit.sh); run.py runs there with --kit
and prints its results JSON on the console, which is rendered here."""

import json
import os
import re
import shutil
import subprocess
import sys

from . import measure_hw
from .context import Bench, log
from .results import Results

BEGIN, END = "MVT-BENCH-JSON-BEGIN", "MVT-BENCH-JSON-END"


def make_kit(b: Bench, kit: str, no_install: bool) -> None:
    if not measure_hw.load_kit(b, "", no_install):
        sys.exit("bench: cannot build the hardware-KVM kit")
    os.makedirs(kit)
    for k in ("boot", "net", "disk"):
        shutil.copy(b.kit[f"initrd_{k}"], os.path.join(kit, f"initrd.{k}"))
    if b.kit.get("microvm_kernel"):
        shutil.copy(b.kit["microvm_kernel"], os.path.join(kit, "microvm.bzImage"))
    else:
        with open(os.path.join(kit, "microvm.note"), "w") as f:
            f.write(b.kit.get("microvm_note", "not built") + "\n")
    shutil.copy(b.tools["stamp"], os.path.join(kit, "bench_stamp"))
    subprocess.run([os.path.join(b.top, "bench/provision/py-kit.sh"), kit], check=True)


def results_from_console(text: str) -> Results:
    """The JSON between the markers on L1's console (run.py prints it one
    key a line); kernel messages that land in between are left out."""
    lines = text.replace("\r", "").splitlines()
    start = lines.index(BEGIN)
    end = lines.index(END, start)
    body = [x for x in lines[start + 1:end] if not re.match(r"^\[ *[0-9]+\.[0-9]+\]", x)]
    return Results.from_dict(json.loads("\n".join(body)))


def run(b: Bench, a, top: str) -> Results:
    kit = b.path("kit")
    make_kit(b, kit, a.no_install)
    timeout = os.environ.get("MVT_BENCH_NESTED_TIMEOUT", "1500")
    log("running the hardware part in the nested harness (timings are not performance figures)")
    log(f"(up to {timeout} s; the L1 console is printed only if it fails)")
    cmd = ["env", "PYTHONHOME=/mvt-extra/py", "LD_LIBRARY_PATH=/mvt-extra/py/so",
           "/mvt-extra/python3", "-S", "/mvt-extra/bench/run.py",
           "--hw-only", "--kit", "/mvt-extra", "--no-install"]
    if a.quick:
        cmd.append("--quick")
    env = dict(os.environ, MVT_NESTED_QEMU="1", MVT_NESTED_EXTRA=kit,
               MVT_BENCH_REV=b.r.meta["rev"], MINIVMM=b.tools["minivmm"])
    p = subprocess.run([os.path.join(top, "tests/nested/run.sh"), "--quiet", "--timeout",
                        timeout, "--", *cmd], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    for line in p.stdout.splitlines():
        if line.startswith("bench: "):
            print(line, file=sys.stderr)
    log(f"nested run status {p.returncode}")
    try:
        res = results_from_console(p.stdout)
    except (ValueError, json.JSONDecodeError) as e:
        print("\n".join(p.stdout.splitlines()[-60:]), file=sys.stderr)
        sys.exit(f"bench: the nested run (status {p.returncode}) printed no results ({e})")
    # what the kit left out (a tool not installed here) was noted here
    res.failures = b.r.failures + res.failures
    return res
