# SPDX-License-Identifier: MIT
"""The renderer (bench/render.py, lib/render_*.py) and the smoke test's
judge (bench/check.py), on made-up results (fixture.py)."""

import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import check  # noqa: E402
import render  # noqa: E402
from lib import render_hw, render_main  # noqa: E402
from lib.results import Results  # noqa: E402
from tests.fixture import full_results  # noqa: E402


def rows_of(text: str, first_cell: str):
    return [line for line in text.splitlines() if line.startswith(f"| {first_cell} |")]


def section(text: str, heading: str) -> str:
    """The text from HEADING to the next heading of the same level."""
    level = heading.split(" ")[0]
    start = text.index("\n" + heading + "\n") + 1
    nxt = text.find("\n" + level + " ", start + 1)
    return text[start:nxt if nxt >= 0 else len(text)]


def cells(line: str):
    return [c.strip() for c in line.strip("|").split("|")]


class MainDocument(unittest.TestCase):
    def setUp(self):
        self.r = full_results()
        self.text = render_main.render(self.r, "charts", set(), "results: `x.json`")

    def test_every_section(self):
        for h in ("## Host and versions", "## Summary", "## a) Start-up",
                  "## b) Memory overhead", "## c) Start rate", "## d) Binary size",
                  "## e) Device cost: virtio-blk", "## e2) Disk formats: raw, qcow2, qcow2 overlay",
                  "## f) Device cost: virtio-net",
                  "## Netboot", "## Hardware-KVM-only benchmarks", "### Linux boot",
                  "### Disk", "### Network: iperf3", "### Netboot of Linux",
                  "## Failed runs"):
            self.assertIn("\n" + h, self.text)

    def test_startup_row_statistics(self):
        # minivmm: first byte 11, 12, 14 -> runs 3, min 11, median 12, max 14
        a = section(self.text, "## a) Start-up")
        row = cells(rows_of(a, "minivmm")[0])
        self.assertEqual(row[:6], ["minivmm", "3", "11.0", "12.0", "14.0", "1.00"])
        # QEMU microvm: 12, 13, 15 -> ratio 13 / 12
        row = cells(rows_of(a, "QEMU microvm")[0])
        self.assertEqual(row[5], f"{13 / 12:.2f}")

    def test_summary_has_every_row_with_numbers(self):
        rows = render_main.summary_rows(self.r)
        self.assertEqual(len(rows), 10)
        for row in rows:
            self.assertRegex(row[2], r"^-?[0-9]+(\.[0-9]+)?$", row[0])

    def test_exit_against_the_floor(self):
        # fixture: exit = 2 x (first byte); floor 20, 22, 26; minivmm-off
        # (index 5) 30, 32, 36: median 32 / 22
        rows = {row[0]: row for row in render_main.summary_rows(self.r)}
        row = rows["exec -> exit, guest off at its first instruction (the floor's guest), ms"]
        self.assertEqual(row[1:4], ["22.0", "32.0", "-"])
        self.assertIn(f"**{32 / 22:.2f}x** the floor's", self.text)
        a = section(self.text, "## a) Start-up")
        self.assertEqual(cells(rows_of(a, "minivmm, guest off at entry (benchguest-off)")[0])[:3],
                         ["minivmm, guest off at entry (benchguest-off)", "3", "15.0"])

    def test_old_results_without_the_off_guest(self):
        r = full_results()
        for k in [k for k in r.series if k.startswith(("start.minivmm-off.", "rate.minivmm-off."))]:
            del r.series[k]
        for k in [k for k in r.values if k.startswith("rate.minivmm-off.")]:
            del r.values[k]
        self.assertNotIn("minivmm-off", render_main.present(r))
        self.assertEqual(len(render_main.summary_rows(r)), 9)

    def test_device_cost_per_request(self):
        # fixture: minivmm's columns go from 10 to 10 + n/100: 10 us per request
        e = section(self.text, "## e) Device cost: virtio-blk")
        row = cells(rows_of(e, "minivmm")[0])
        self.assertEqual(row[1:5], ["10.00", "0.01", "10.00", "10.00"])

    def test_disk_formats_ratios(self):
        # fixture: minivmm 10 us per request on every image, QEMU 30 us
        e2 = section(self.text, "## e2) Disk formats: raw, qcow2, qcow2 overlay")
        # its end: the recorded host-only run (bench/lib/format-cost-host.md)
        e2, host = e2.split("### The format layer alone, on the host")
        self.assertIn("qemu-img bench", host)
        rows = [cells(x) for x in e2.splitlines() if x.startswith("| read |")]
        self.assertEqual(len(rows), 5)
        qemu = [x for x in rows if x[2] == "QEMU microvm"][0]
        self.assertEqual(qemu[3:], ["30.00", "30.00", "3.00", "0.33"])
        mini = [x for x in rows if x[2] == "minivmm"]
        self.assertEqual({x[5] for x in mini}, {"1.00"})

    def test_tables_are_rectangular(self):
        lines = self.text.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("|---"):
                width = line.count("|") - 1
                j = i + 1
                while j < len(lines) and lines[j].startswith("|"):
                    self.assertEqual(lines[j].count("|") - 1, width, lines[j])
                    j += 1

    def test_charts_only_when_drawn(self):
        self.assertNotIn("![", self.text)
        text = render_main.render(self.r, "charts", {"startup-first-byte.png",
                                                     "startup-exit.png"}, "")
        self.assertIn("![exec to exit](charts/startup-exit.png)", text)
        self.assertNotIn("memory-overhead.png", text)

    def test_says_which_results_it_came_from(self):
        self.assertIn("results: `x.json`", self.text)

    def test_skipped_sections_say_why(self):
        r = full_results()
        r.notes.update(hw="no KVM module loaded", net="no tun")
        r.series = {k: v for k, v in r.series.items() if not k.startswith("netboot.")}
        r.notes["netboot"] = "dnsmasq not installed"
        text = render_main.render(r, None, set(), "")
        self.assertIn("**Skipped on this host:** no KVM module loaded.", text)
        self.assertIn("**Skipped:** no tun.", text)
        self.assertIn("**Pending** — no number yet: dnsmasq not installed.", text)


class NetbootServers(unittest.TestCase):
    def test_server_rows_and_ratios(self):
        text = render_main.render(full_results(), None, set(), "")
        self.assertIn("| tftpd-hpa | 1 | 1.50 | 15.00 | 0.10 | 12.00 | 0.12 | "
                      "300000 / 900000 |", text)
        self.assertIn("| atftpd | 1 | 3.00 | 15.00 | 0.20 | 12.00 | 0.25 |", text)
        self.assertIn("tftpd-hpa: ip netns exec NS tftpd-hpa", text)

    def test_no_servers_says_why(self):
        r = full_results()
        r.series = {k: v for k, v in r.series.items() if ".srv." not in k}
        r.notes["netboot.servers"] = "neither tftpd-hpa nor atftpd installed"
        text = render_main.render(r, None, set(), "")
        self.assertIn("Other TFTP servers: not measured (neither tftpd-hpa nor "
                      "atftpd installed).", text)


class HwDocument(unittest.TestCase):
    def test_hw_only_document(self):
        text = render_hw.render(full_results("hw"), "results: `hw.json`")
        self.assertTrue(text.startswith("# Benchmarks: minivmm side by side with QEMU, "
                                        "hardware-KVM part"))
        self.assertEqual(len(rows_of(text, "fio 4 KiB random read, IOPS")), 2)
        self.assertEqual(len([x for x in text.splitlines()
                              if re.match(r"^\| (guest|host) -> ", x)]), 8)
        self.assertNotIn("not performance figures", text)

    def test_nested_document_says_not_performance(self):
        text = render_hw.render(full_results("hw", nested=True), "")
        self.assertIn("**they are not\nperformance figures**", text)
        self.assertIn("in L1, on an SVM that QEMU TCG emulates", text)
        self.assertIn("Generated by `scripts/bench.sh --nested`", text)

    def test_failed_boot_row_has_zero_runs(self):
        r = full_results("hw")
        del r.series["hw.boot.microvm.qemu-microvm.init"]
        text = render_hw.render(r, "")
        row = [cells(x) for x in rows_of(text, "microvm (2000000 bytes)")][1]
        self.assertEqual(row[2:7], ["0", "-", "-", "-", "-"])


class HwGuide(unittest.TestCase):
    def test_guide_then_the_run(self):
        text = render_hw.render(full_results("hw"), "results: `benchmarks-hw.json`", True)
        self.assertTrue(text.startswith("# Benchmarks on hardware KVM\n"))
        self.assertLess(text.index("## Running it"), text.index("## The last run"))
        self.assertLess(text.index("## The last run"), text.index("### Linux boot"))
        self.assertIn("results: `benchmarks-hw.json`", text)

    def test_no_run_recorded(self):
        text = render_hw.render(None, "", True)
        self.assertIn("No `--hw-only` run on a hardware-KVM host is recorded", text)
        self.assertNotIn("### Linux boot", text)

    def test_committed_document_is_the_renderers(self):
        # docs/benchmarks-hw.md is rendered, not edited: the guide lives in
        # bench/lib/benchmarks-hw.guide.md
        doc = os.path.join(os.path.dirname(__file__), "../../docs/benchmarks-hw.md")
        with open(doc, encoding="utf-8") as f:
            committed = f.read()
        if "## The last run\n\nNo `--hw-only` run" in committed:
            self.assertEqual(committed, render_hw.render(None, "", True))
        else:
            self.assertTrue(committed.startswith(render_hw.guide()))


class Files(unittest.TestCase):
    def test_render_file_and_check(self):
        with tempfile.TemporaryDirectory() as d:
            js = os.path.join(d, "run.json")
            full_results().save(js)
            out = os.path.join(d, "doc.md")
            render.render_file(js, out, None)
            with open(out) as f:
                self.assertIn("results: `run.json`", f.read())
            self.assertEqual(check.problems(Results.load(js)), [])

    def test_disk_section_alone(self):
        with tempfile.TemporaryDirectory() as d:
            js, out = os.path.join(d, "disk.json"), os.path.join(d, "disk.md")
            r = full_results()
            r.meta.update(disk_only=True, nested=True, date="D", rev="abc")
            r.save(js)
            render.render_disk_section(js, out)
            with open(out) as f:
                text = f.read()
            self.assertTrue(text.startswith("## e2) Disk formats"))
            self.assertIn("nested harness", text)
            self.assertIn("results: `disk.json`", text)
            self.assertNotIn("## f)", text)

    def test_check_finds_a_missing_row(self):
        r = full_results()
        for k in [k for k in r.series if k.startswith("blk.minivmm.")]:
            del r.series[k]
        probs = check.problems(r)
        self.assertTrue(any("virtio-blk" in p for p in probs), probs)


if __name__ == "__main__":
    unittest.main()
