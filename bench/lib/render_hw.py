# SPDX-License-Identifier: MIT
"""The hardware-KVM part of the documents: a section of docs/benchmarks.md
and the whole document of a --hw-only (or --nested) run."""

import os
from typing import Optional

from .md import Doc, label, med, stat_cells, stat_cells_noratio
from .results import Results
from .stats import fmt, ratio

VMMS = ("minivmm", "qemu-microvm")


def vmm_rows(r: Results, prefix: str, measures) -> list:
    """A row per measure and VMM: the series PREFIX.format(vmm) + key, its
    ratio to minivmm's median."""
    return [[what, label(vmm), *stat_cells(r.get(prefix.format(vmm) + key),
                                          med(r, prefix.format("minivmm") + key))]
            for key, what in measures for vmm in VMMS]


def section(d: Doc, r: Results) -> None:
    m, p, v = r.meta, r.meta["params"], r.values
    d("## Hardware-KVM-only benchmarks", "")
    if m.get("nested"):
        d("**Run in the nested harness** (tests/nested/run.sh: an L1 VM under QEMU",
          "TCG with an emulated AMD SVM, its KVM running the guests below).  These",
          "numbers only show that the benchmark runs end to end; **they are not",
          "performance figures** of minivmm or of QEMU.", "")
    if r.notes.get("hw"):
        d(f"**Skipped on this host:** {r.notes['hw']}.  On a host with kvm_intel or kvm_amd",
          "(and vmx/svm), the script also measures, minivmm vs QEMU microvm",
          "(`-accel kvm -cpu host`), with the layer-3 Debian kernel and test",
          "initramfs and with a minimal \"microvm\" kernel (scripts/microvm-kernel.sh):",
          "Linux boot to init (`MVT-READY`) and to power-off; dd sequential MB/s and",
          "fio 4 KiB random-read IOPS on a virtio-blk disk; iperf3 guest <-> host, 1",
          "and 4 streams, to a server in a private namespace; netboot of Linux with",
          "the Debian installer's sizes (guest scripts in bench/linux/).",
          "Run only that part: `sudo scripts/bench.sh --hw-only` (docs/benchmarks-hw.md).")
        return
    d(f"Guest: {m.get('hw_mem')} MiB, one vCPU, the layer-3 test initramfs (busybox) with the",
      "guest scripts of bench/linux/; QEMU microvm with `-accel kvm -cpu host`,",
      "its default ACPI (virtio-mmio devices in the DSDT, as minivmm).  Ratio =",
      "this row's median / minivmm's median.  A row with 0 runs failed every",
      "time: see \"Failed runs\" at the end for the consoles' tails.", "",
      "### Linux boot", "",
      "exec -> `MVT-READY` (printed by the initramfs' /init: the kernel reached",
      "userspace) and -> exit (the guest script prints its uptime, /init powers",
      f"off at once), `console=ttyS0 quiet`, {p['hw_runs']} alternating rounds.", "")
    rows = []
    for kern in ("debian", "microvm"):
        if kern == "debian":
            k = f"Debian {v.get('hw.kernel_name')} ({v.get('hw.kernel_bytes')} bytes)"
        else:
            k = (f"microvm ({v['hw.microvm_bytes']} bytes)" if "hw.microvm_bytes" in v
                 else "microvm (not built)")
        for vmm in VMMS:
            base = f"hw.boot.{kern}"
            rows.append([k, label(vmm),
                         *stat_cells(r.get(f"{base}.{vmm}.init"), med(r, f"{base}.minivmm.init")),
                         *stat_cells(r.get(f"{base}.{vmm}.exit"), med(r, f"{base}.minivmm.exit"))])
    d.table(["kernel", "VMM", "runs", "to init min ms", "median", "max", "ratio",
             "runs", "to exit min ms", "median", "max", "ratio"], rows)
    d("")
    if r.notes.get("microvm"):
        d(f"No microvm kernel: {r.notes['microvm']}", "")
    d("The microvm kernel: `make tinyconfig` of Debian's linux-source-6.1 plus",
      "bench/microvm-kernel.config (virtio-mmio/blk/net, 8250 console, ACPI,",
      "kvmclock built in; no modules, no PCI drivers), built by scripts/microvm-kernel.sh.",
      "The initramfs' module loading fails on it (nothing to load), harmlessly.", "",
      "### Disk (Debian kernel, virtio-blk)", "",
      f"The guest (bench/linux/bench_disk.sh) writes then reads {p['hw_disk_mb']} MiB of /dev/vda",
      "with busybox dd (1 MiB blocks, O_DIRECT, one request in flight; timed by",
      f"/proc/uptime), then fio 4 KiB random reads (libaio, iodepth 32, {p['hw_fio_s']} s).  The",
      "disk is a raw file on the host (QEMU: `cache=writeback`, its default).",
      f"{p['hw_io_runs']} rounds; higher is better.", "")
    rows = vmm_rows(r, "hw.disk.{}.", (("dd.write_mbs", "dd sequential write, MB/s"),
                                       ("dd.read_mbs", "dd sequential read, MB/s"),
                                       ("fio.randread4k_iops", "fio 4 KiB random read, IOPS")))
    d.table(["measure", "VMM", "runs", "min", "median", "max", "ratio"], rows)
    d("", "### Network: iperf3 (Debian kernel, virtio-net)", "")
    if r.notes.get("hw_net"):
        d(f"**Skipped:** {r.notes['hw_net']}.")
    else:
        d("The guest (bench/linux/bench_net.sh) runs `iperf3 -c` against `iperf3 -s`",
          "on the bridge of a private namespace (the guest's TAP on the same bridge;",
          f"QEMU `vhost=off`, as minivmm has no vhost), {p['hw_net_t']} s each: guest -> host,",
          "host -> guest (`-R`), 1 and 4 streams (`-P 4`); the receiver's Mbit/s.",
          f"{p['hw_io_runs']} rounds; higher is better.", "")
        rows = vmm_rows(r, "hw.net.{}.iperf3.", [
            (key, ("guest -> host" if key.startswith("tx") else "host -> guest") +
             (", 1 stream" if key[2] == "1" else ", 4 streams"))
            for key in ("tx1", "tx4", "rx1", "rx4")])
        d.table(["measure", "VMM", "runs", "min Mbit/s", "median", "max", "ratio"], rows)
    d("", "### Netboot of Linux with the Debian installer's sizes", "")
    if r.notes.get("hw_nb"):
        d(f"**Skipped:** {r.notes['hw_nb']}.")
    else:
        sizes = (f"kernel {v['hw_nb.kernel_bytes']} bytes, initrd {v['hw_nb.initrd_bytes']} bytes"
                 if "hw_nb.kernel_bytes" in v else "not run")
        bs = v.get("hw_nb.blksize", "?")
        d("`minivmm -netboot`: DHCP + TFTP from dnsmasq in a private namespace,",
          "PXELINUX config with the Debian kernel and the boot initramfs padded with",
          f"zeros to the installer's sizes ({sizes}; the",
          "installer's are a 14 MiB kernel and a 40 MiB initrd), guest as in \"Linux boot\".",
          "Kernel entry: the firmware's mark 0x15 on minivmm's `-trace-boot` clock",
          "(ms since the process started).  TFTP: the firmware's own `TFTP: initrd.gz:",
          f"... KiB/s` line, beside busybox `tftp -g -b {bs}` fetching the same",
          "file from the same dnsmasq in a second namespace on the same bridge.", "")
        rows = []
        for key, what, target in (
                ("kentry", "start -> kernel entry, ms (end to end: DHCP, TFTP of both files)", "<= 1500"),
                ("init", "exec -> `MVT-READY`, ms", ""), ("exit", "exec -> exit, ms", ""),
                ("tftp_mbs", "firmware TFTP rate (initrd), MB/s", ""),
                ("client_mbs", "host-side busybox tftp, same file and server, MB/s", "")):
            rows.append([what, *stat_cells_noratio(r.get(f"hw.nb.{key}")), target])
        d.table(["measure", "runs", "min", "median", "max", "target"], rows)
        d("", "Firmware / host-side client TFTP rate: **"
          f"{fmt(ratio(med(r, 'hw.nb.tftp_mbs'), med(r, 'hw.nb.client_mbs')), 2)}** (target >= 0.60).")
    d("", "Commands (NS: the run's private namespace; files without a folder are",
      "in the run's work folder):", "")
    keys = ("boot.debian.minivmm", "boot.debian.qemu-microvm", "boot.microvm.minivmm",
            "boot.microvm.qemu-microvm", "disk.minivmm", "disk.qemu-microvm",
            "net.minivmm", "net.qemu-microvm", "netboot")
    d.code([f"{k}: {r.commands[k]}" for k in keys if k in r.commands])


def failures(d: Doc, r: Results) -> None:
    if not r.failures:
        return
    d("", "## Failed runs (left out of the statistics)", "")
    d.code(r.failures)


GUIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "benchmarks-hw.guide.md")


def guide() -> str:
    """docs/benchmarks-hw.md's text around the results (how to run the
    part, what it measures): bench/lib/benchmarks-hw.guide.md."""
    with open(GUIDE, encoding="utf-8") as f:
        return f.read()


def render(r: Optional[Results], source: str, with_guide: bool = False) -> str:
    """The document of a --hw-only run; WITH_GUIDE: docs/benchmarks-hw.md,
    the guide and then the run (R None: no run recorded yet)."""
    d = Doc()
    if with_guide:
        d(guide().rstrip("\n"), "", "## The last run", "")
        if r is None:
            d("No `--hw-only` run on a hardware-KVM host is recorded here yet (no",
              "docs/benchmarks-hw.json): the machines this project is built on have no",
              "kvm_intel/kvm_amd.  `sudo scripts/bench.sh --hw-only` on one fills this part.")
            return d.text()
    else:
        d("# Benchmarks: minivmm side by side with QEMU, hardware-KVM part", "")
    m = r.meta
    quick = " --quick" if m.get("quick") else ""
    how = "--nested" if m.get("nested") else "--hw-only"
    d(f"Generated by `scripts/bench.sh {how}{quick}` on {m.get('date')}; every number below",
      f"comes from that run ({source}; how to run it: docs/benchmarks-hw.md).", "")
    kernel = str(m.get("kernel")) + (" (the nested harness L1)" if m.get("nested") else "")
    if m.get("nested"):
        kvm = f"{m.get('kvm')} in L1, on an SVM that QEMU TCG emulates (not hardware speed)"
    else:
        kvm = str(m.get("kvm")) + (" (hardware)" if m.get("kvm_hw") else "")
    d.table(["", ""], [
        ["CPU", f"{m.get('cpu')}, {m.get('nproc')} CPUs"], ["kernel", kernel], ["KVM", kvm],
        ["minivmm", f"git {m.get('rev')}"],
        ["QEMU", str(m.get("qemu_version", "not installed"))],
        ["load average", f"{m.get('load_start')} at the start, {m.get('load_end')} at the end"]])
    d("")
    section(d, r)
    failures(d, r)
    return d.text()
