# SPDX-License-Identifier: MIT
"""The parsers of the measured programs' output (bench/lib/parse.py)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lib import parse  # noqa: E402

STAMP_MEM = """rss_kb=5896 guest_kb=4096 overhead_kb=1800 pss_kb=4610
thread tid=1 cpu_ms=10.500 switches=4 comm=minivmm
thread tid=2 cpu_ms=90.250 switches=100 comm=vcpu0
thread tid=3 cpu_ms=16.000 switches=50 comm=virtio-blk0
thread tid=4 cpu_ms=1.000 switches=2 comm=IO_io0
"""


class Stamp(unittest.TestCase):
    def test_kv(self):
        self.assertEqual(parse.kv("first_us=10 exit_us=20 rc=0 pattern_us=-1"),
                         {"first_us": "10", "exit_us": "20", "rc": "0", "pattern_us": "-1"})

    def test_kv_first_of_a_repeated_key(self):
        self.assertEqual(parse.kv("a=1 a=2 word")["a"], "1")

    def test_thread_sums(self):
        ths = parse.threads(STAMP_MEM)
        self.assertEqual(len(ths), 4)
        self.assertEqual(parse.thread_sum(ths, "^vcpu"), (90.25, 100))
        self.assertEqual(parse.thread_sum(ths, "^virtio-blk"), (16.0, 50))
        self.assertEqual(parse.thread_sum(ths, "^(IO_io0|worker)"), (1.0, 2))
        self.assertEqual(parse.thread_sum(ths, "."), (117.75, 156))

    def test_negated_pattern(self):
        ths = parse.threads(STAMP_MEM)
        self.assertEqual(parse.thread_sum(ths, "!^vcpu"), (27.5, 56))


class Traces(unittest.TestCase):
    def test_minivmm_trace_boot(self):
        text = ("minivmm: trace    0.59 ms  KVM ready\n"
                "minivmm: trace   8.04 ms  first KVM_RUN\n"
                "minivmm: trace     26.010 ms  exit; VMM CPU time user 12.500 ms, system 7.500 ms\n"
                "something else\n")
        self.assertEqual(parse.trace_phases(text),
                         [("KVM_ready", 0.59), ("first_KVM_RUN", 8.04), ("exit", 26.01),
                          ("cpu", 20.0)])

    def test_floor_phases(self):
        text = "floor:   5.80 ms  irqchip, PIT, memory\nfloor:   6.29 ms  power-off\n"
        self.assertEqual(parse.floor_phases(text),
                         [("irqchip_PIT_memory", 5.80), ("power-off", 6.29)])

    def test_marker(self):
        text = ("minivmm: trace 725.00 ms  guest marker 21\n"
                "minivmm: trace 5.0 ms  guest marker 1\n")
        self.assertEqual(parse.trace_marker(text, 21), [725.0])


class Netboot(unittest.TestCase):
    def test_tftp_line(self):
        text = ("noise\r\nTFTP: big.img: 2097152 bytes in 1200 ms "
                "(1706 KiB/s, blksize 1468 window 1, 0 retries)\r\n")
        self.assertEqual(parse.tftp_line(text, "big.img"), (2097152, 1200, 1468))
        self.assertIsNone(parse.tftp_line(text, "initrd.gz"))

    def test_tftp_profile(self):
        text = ("TFTP: big.img: 2097152 bytes in 1200 ms (1706 KiB/s, blksize 1468 "
                "window 8, 0 blocks copied), busy 251234 cycles/block (27% of 930123 "
                "cycles/block)\r\n")
        self.assertEqual(parse.tftp_line(text, "big.img"), (2097152, 1200, 1468))
        self.assertEqual(parse.tftp_profile(text, "big.img"), (251234, 930123))
        self.assertIsNone(parse.tftp_profile(text.replace("busy", "idle"), "big.img"))

    def test_exits_prefer_kvm_count(self):
        self.assertEqual(parse.vcpu0_exits("vcpu0: exits=120 io=3 kvm_exits=150\n"), 150)
        self.assertEqual(parse.vcpu0_exits("vcpu0: exits=120 io=3\n"), 120)
        self.assertIsNone(parse.vcpu0_exits("vcpu1: exits=5 \n"))

    def test_mvt_facts_skip_non_numbers(self):
        text = "MVT dd.write_mbs=512.5\r\nMVT fio.randread4k_iops=-\nMVT uptime=1.23\n"
        self.assertEqual(parse.mvt_facts(text), [("dd.write_mbs", 512.5), ("uptime", 1.23)])

    def test_console_tail(self):
        text = "a\n[ 1.0] kernel\nb\nc\n"
        self.assertEqual(parse.console_tail(text, 2), ["b", "c"])
        self.assertEqual(parse.console_tail(text, 3, True), ["[ 1.0] kernel", "b", "c"])


if __name__ == "__main__":
    unittest.main()
