# SPDX-License-Identifier: MIT
"""What every measurement needs: the built programs, the round counts of
this run (full or --quick), the results being filled, the run's work
folder, and the namespaces and servers to clean up whatever happens."""

import os
import shlex
import signal
import subprocess
import sys
import time
from typing import Dict, List

from .parse import kv
from .results import Results

RAM_MIB = 128
HW_MEM = 512

# Round counts: (full run, --quick).
FULL = dict(runs=21, q35_runs=5, mem_runs=5, rate_s=10, rate_slices=5,
            blk_runs=3, blk_n=5000, disk_runs=3, disk_n=2000, net_runs=5, net_n=5000, netboot_mib=2,
            netboot_runs=10, tftp_runs=5,
            hw_runs=10, hw_io_runs=3, hw_net_t=10, hw_disk_mb=1024,
            hw_fio_s=10, hw_nb_kernel_mib=14, hw_nb_initrd_mib=40)
QUICK = dict(runs=1, q35_runs=1, mem_runs=1, rate_s=1, rate_slices=1,
             blk_runs=1, blk_n=100, disk_runs=1, disk_n=100, net_runs=1, net_n=1000, netboot_mib=1,
             netboot_runs=1, tftp_runs=1,
             hw_runs=1, hw_io_runs=1, hw_net_t=2, hw_disk_mb=32,
             hw_fio_s=2, hw_nb_kernel_mib=14, hw_nb_initrd_mib=4)


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, top: str, work: str, quick: bool, results: Results):
        self.top = top
        self.work = work
        self.quick = quick
        self.p = dict(QUICK if quick else FULL)
        # In the nested harness' L1 (emulated SVM under TCG) a Linux boot
        # takes 20-40 s, and more under load.
        self.p["hw_boot_t"] = 400 if os.environ.get("MVT_NESTED") else 120
        self.r = results
        self.tools: Dict[str, str] = {}
        self.kit: Dict[str, str] = {}      # the hardware part's kernels, initrds
        self.netns_dev = ""                # the virtio-net cost namespace
        self.qemu = os.environ.get("QEMU", "qemu-system-x86_64")
        self.qemu_accel = ""
        self.namespaces: List[str] = []
        self.servers: List[subprocess.Popen] = []

    # ------------------------------------------------------------ running

    def stamp(self, opts: List[str], cmd: List[str], stderr=subprocess.DEVNULL,
              first_line: bool = False) -> Dict[str, str]:
        """bench_stamp OPTS -- CMD; its result line as a dict (the first
        line only with FIRST_LINE: memory mode adds thread lines)."""
        out = self.stamp_text(opts, cmd, stderr)
        line = out.splitlines()[0] if (first_line and out) else out
        return kv(line)

    def stamp_text(self, opts: List[str], cmd: List[str],
                   stderr=subprocess.DEVNULL) -> str:
        p = subprocess.run([self.tools["stamp"], *opts, "--", *cmd],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=stderr, text=True, errors="replace")
        return p.stdout

    def path(self, name: str) -> str:
        return os.path.join(self.work, name)

    def shown(self, cmd: List[str]) -> str:
        """CMD as the document shows it: quoted as a shell would need,
        the work folder's and the source tree's paths cut."""
        s = shlex.join(cmd)
        return s.replace(self.work + "/", "").replace(self.top + "/", "")

    # --------------------------------------------------------- namespaces

    def netns(self, *args: str) -> bool:
        """bench/provision/netns.sh ARGS; the namespaces it makes are
        deleted by cleanup() if the section does not do it first."""
        if args[0] == "lan":
            self.namespaces.append(args[1])
        elif args[0] == "client":
            self.namespaces.append(args[2])
        elif args[0] == "devnet":
            self.namespaces += [args[1], args[2]]
        script = os.path.join(self.top, "bench/provision/netns.sh")
        return subprocess.run([script, *args]).returncode == 0

    def netns_del(self, *names: str) -> None:
        self.netns("del", *names)
        self.namespaces = [n for n in self.namespaces if n not in names]

    def server(self, cmd: List[str], logfile: str) -> subprocess.Popen:
        with open(logfile, "w") as f:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f,
                                 stderr=subprocess.STDOUT)
        self.servers.append(p)
        return p

    def server_stop(self, p: subprocess.Popen) -> None:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if p in self.servers:
            self.servers.remove(p)

    def cleanup(self) -> None:
        # a process in a deleted namespace lives on: stop the servers first
        for p in list(self.servers):
            self.server_stop(p)
        if self.namespaces:
            self.netns_del(*self.namespaces)


def wait_for(path: str, text: str, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with open(path, errors="replace") as f:
                if text in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def read(path: str) -> str:
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""
