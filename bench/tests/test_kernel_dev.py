# SPDX-License-Identifier: MIT
"""bench/kernel_dev.py's pure parts: the parsers of bench_stamp's line and
of /proc, the choice of threads, the per-file cost, the command lines, and
one whole fsread run against a stand-in VMM (a script that prints the
markers), so the sampling loop is exercised without KVM."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import kernel_dev as kd  # noqa: E402


class Parsers(unittest.TestCase):
    def test_stamp_line(self):
        self.assertEqual(kd.parse_stamp("first_us=81 exit_us=7123456 rc=0\n"),
                         {"first_us": 81, "exit_us": 7123456, "rc": 0})
        self.assertEqual(kd.parse_stamp("first_us=-1 exit_us=5 rc=137")["first_us"], -1)

    def test_stat_ticks_with_blanks_and_parens_in_comm(self):
        # pid (comm) state ppid ... utime(14th field) stime(15th)
        line = "42 (CPU 0/KVM (x)) S 1 2 3 4 5 6 7 8 9 10 111 222 0 0\n"
        self.assertEqual(kd.stat_ticks(line), 333)

    def test_sched_runtime_is_read_in_ms_and_returned_in_ns(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("minivmm (1, #threads: 3)\n---\n"
                    "se.exec_start                                :     1.0\n"
                    "se.sum_exec_runtime                          :    12.500000\n")
        try:
            self.assertAlmostEqual(kd.sched_runtime_ns(f.name), 12.5e6)
        finally:
            os.unlink(f.name)
        self.assertIsNone(kd.sched_runtime_ns("/nonexistent/sched"))

    def test_vcpu_threads_are_taken_out_of_the_process_total(self):
        sample = {1: ("minivmm", 10.0), 2: ("vcpu0", 1000.0), 3: ("virtio-fs0", 5.0),
                  4: ("CPU 0/KVM", 2000.0), 5: ("qemu-system-x86", 7.0)}
        # 5000: ended threads (a pool's workers) count in the total
        self.assertEqual(kd.non_vcpu_ns(5000.0, sample), 2000.0)

    def test_process_cpu_of_this_process(self):
        self.assertGreater(kd.process_cpu_ns(os.getpid()), 0)
        self.assertIsNone(kd.process_cpu_ns(2 ** 22 + 12345))

    def test_share_thread_cost(self):
        th = {"virtio-fs1": 0.0}
        got = {"KDEV-A": (0, 0, dict(th)), "KDEV-B": (1, 0, {"virtio-fs1": 1000.0}),
               "KDEV-C": (2, 0, {"virtio-fs1": 5000.0}),
               "KDEV-D": (3, 0, {"virtio-fs1": 9000.0})}
        self.assertEqual(kd.share_thread_us(got, 4, 2), (1.0, 2.0))
        got["KDEV-C"] = (2, 0, {"worker": 1.0})
        self.assertIsNone(kd.share_thread_us(got, 4, 2))


class Cost(unittest.TestCase):
    def test_idle_rate_is_taken_out_of_each_phase(self):
        # idle: 1000 ns/s (A->B); B->C 2 s holding 4000 ns of reads,
        # C->D 1 s holding 2000 ns
        got = {"KDEV-A": (0.0, 0.0, {}), "KDEV-B": (1.0, 1000.0, {}),
               "KDEV-C": (3.0, 1000.0 + 2000.0 + 4000.0, {}),
               "KDEV-D": (4.0, 7000.0 + 1000.0 + 2000.0, {})}
        small, big = kd.per_file_us(got, 4, 2)
        self.assertAlmostEqual(small, 1.0)      # 4000 ns / 4 files = 1 us
        self.assertAlmostEqual(big, 1.0)        # 2000 ns / 2 files


class Commands(unittest.TestCase):
    def args(self):
        return kd.parse_args(["exit", "--kit", "/k", "--minivmm", "/m", "--qemu", "/q"])

    def test_same_kernel_memory_and_cpus_for_both(self):
        a = self.args()
        m = kd.minivmm_cmd(a, [], "true")
        q = kd.qemu_cmd(a, [], "true")
        self.assertEqual(m[m.index("-kernel") + 1], q[q.index("-kernel") + 1])
        self.assertEqual(m[m.index("-m") + 1], q[q.index("-m") + 1])
        self.assertEqual(m[m.index("-smp") + 1], q[q.index("-smp") + 1])
        self.assertEqual(m[-2:], ["-run", "true"])
        self.assertTrue(q[-1].endswith("kdevroot=kdevroot kdevrun=true"))
        self.assertIn("virtio-9p-device,fsdev=root,mount_tag=kdevroot", q)

    def test_guest_script_mounts_the_bench_share(self):
        with tempfile.TemporaryDirectory() as d:
            kd.guest_script(f"{d}/g.sh", "9p", "-o trans=virtio", 2)
            with open(f"{d}/g.sh") as f:
                text = f.read()
        self.assertIn("mount -t 9p -o trans=virtio kdevbench /kdevmnt", text)
        for m in kd.MARKS:
            self.assertIn(f"echo {m}; sleep 2", text)


class Sampling(unittest.TestCase):
    def test_markers_are_sampled_in_order(self):
        with tempfile.TemporaryDirectory() as d:
            vmm = f"{d}/vmm"
            with open(vmm, "w") as f:
                f.write("#!/bin/sh\necho booting\n"
                        "for m in A B C D; do echo KDEV-$m; sleep 0.2; done\n")
            os.chmod(vmm, 0o755)
            got, rc = kd.sample_at_marks([vmm], 20)
        self.assertEqual(rc, 0)
        self.assertEqual(sorted(got), list(kd.MARKS))
        times = [got[m][0] for m in kd.MARKS]
        self.assertEqual(times, sorted(times))


if __name__ == "__main__":
    unittest.main()
