# SPDX-License-Identifier: MIT
"""A complete, made-up results file: every series and value a full run on
a hardware-KVM host fills, so the renderer tests see every row."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lib.context import FULL  # noqa: E402
from lib.results import Results  # noqa: E402

NAMES = ("floor", "minivmm", "qemu-microvm", "qemu-microvm-tuned", "qemu-q35", "minivmm-off")


def full_results(kind: str = "main", nested: bool = False) -> Results:
    r = Results(kind)
    p = dict(FULL)
    p["hw_boot_t"] = 120
    r.meta.update(date="2026-12-03 04:00 UTC", quick=False, cpu="Test CPU", nproc=2,
                  kernel="6.1.0-test", kvm="kvm_intel", kvm_hw=True, rev="abc1234",
                  nested=nested, tsc_mhz=2000.0, ram_mib=128, hw_mem=512, params=p,
                  qemu="qemu-system-x86_64", qemu_version="QEMU emulator version 7.2",
                  qemu_note="QEMU runs with -accel kvm on this host's kvm_intel.",
                  qemu_accel="kvm", load_start="0.1 0.2 0.3", load_end="0.4 0.5 0.6",
                  build="build-bench/minivmm (cc 12)")
    for i, n in enumerate(NAMES):
        for v in (10 + i, 11 + i, 13 + i):
            r.add(f"start.{n}.first", v)
            r.add(f"start.{n}.exit", v * 2)
            if n not in ("floor", "minivmm-off"):	# no banner before S5
                r.add(f"start.{n}.banner", v + 5)
        r.commands[f"start.{n}"] = f"{n} -kernel g"
        if n != "qemu-q35":
            r.values.update({f"rate.{n}.cycles": 100 + i, f"rate.{n}.seconds": 10.0,
                             f"rate.{n}.rate": (100 + i) / 10.0, f"rate.{n}.failed": 0})
            for v in (9.0, 10.0, 11.0):
                r.add(f"rate.{n}.slice", v + i)
    for ph in ("KVM_ready", "images_loaded", "first_KVM_RUN", "guest_marker_1",
               "first_serial_byte", "guest_power-off", "exit", "cpu"):
        r.add(f"phase.minivmm.{ph}", 1.5)
    for ph in ("VM_created", "irqchip_PIT_memory", "vCPU_in_long_mode",
               "first_serial_byte", "power-off"):
        r.add(f"phase.floor.{ph}", 0.5)
    for i, n in enumerate(("minivmm", "qemu-microvm", "qemu-q35")):
        for k in ("rss_kb", "guest_kb", "overhead_kb", "pss_kb"):
            r.add(f"mem.{n}.{k}", 1000 * (i + 1))
    r.commands["mem.minivmm"] = "minivmm -append bench.action=halt"
    r.values.update({"size.minivmm": 236560, "size.minivmm_raw": 696816, "size.floor": 14544,
                     "libs.minivmm": 1, "size.firmware": 25880, "size.qemu": 18397984,
                     "libs.qemu": 49, "libsize.qemu": 32020896, "size.qemu_fw": 65536})
    for key, n in (("blk", p["blk_n"]), ("net", p["net_n"]), ("net-1cpu", p["net_n"])):
        for name, k in (("minivmm", 1), ("qemu-microvm", 2)):
            for col in ("io_ms", "io_sw", "vcpu_ms", "vcpu_sw", "all_ms", "all_sw", "nonvcpu_ms"):
                r.add(f"{key}.{name}.0.{col}", 10)
                r.add(f"{key}.{name}.{n}.{col}", 10 + k * n / 100)
            r.add(f"{key}.{name}.tsc", 2000.0 * n * 100)
            r.commands[f"{key}.{name}"] = f"{name} {key}"
        if key != "blk":
            for f, v in (("per_frame_us", 15.0), ("wakeups", 5000), ("frames", 5000),
                         ("cpu_ms", 75.0)):
                r.add(f"{key}.floor.{f}", v)
            r.commands[f"{key}.floor"] = "bench_netfloor -i tapf GAP_US"
    for image in ("raw", "qcow2-alloc", "qcow2-overlay"):
        for op in ("read", "write"):
            key, n = f"blk-{image}-{op}", p["disk_n"]
            for name, k in (("minivmm", 1), ("qemu-microvm", 3)):
                if image == "raw" and name != "minivmm":
                    continue
                for col in ("io_ms", "io_sw", "vcpu_ms", "vcpu_sw", "all_ms", "all_sw",
                            "nonvcpu_ms"):
                    r.add(f"{key}.{name}.0.{col}", 10)
                    r.add(f"{key}.{name}.{n}.{col}", 10 + k * n / 100)
                r.commands[f"{key}.{name}"] = f"{name} {key}"
    for k in ("first", "kentry", "guest", "exit", "tftp_mbs", "exits_per_block", "client_mbs"):
        r.add(f"netboot.{k}", 1.0)
    r.values.update({"netboot.blksize": 1468, "netboot.mib": 2})
    r.commands["netboot"] = "ip netns exec NS minivmm -netboot -trace-boot"
    for s, fw in (("tftpd-hpa", 1.5), ("atftpd", 3.0)):
        for k, v in (("fw_mbs", fw), ("busybox_mbs", 15.0), ("curl_mbs", 12.0),
                     ("busy_cycles", 300000), ("block_cycles", 900000)):
            r.add(f"netboot.srv.{s}.{k}", v)
        r.commands[f"netboot.srv.{s}"] = f"ip netns exec NS {s}"
    hw(r)
    r.fail("qemu-q35 rc=137")
    return r


def hw(r: Results) -> None:
    r.values.update({"hw.kernel_name": "vmlinuz-6.1", "hw.kernel_bytes": 8000000,
                     "hw.microvm_bytes": 2000000, "hw_nb.kernel_bytes": 14 << 20,
                     "hw_nb.initrd_bytes": 40 << 20, "hw_nb.blksize": 1468})
    for kern in ("debian", "microvm"):
        for vmm in ("minivmm", "qemu-microvm"):
            r.add(f"hw.boot.{kern}.{vmm}.init", 300)
            r.add(f"hw.boot.{kern}.{vmm}.exit", 400)
            r.commands[f"boot.{kern}.{vmm}"] = f"{vmm} {kern}"
    for vmm in ("minivmm", "qemu-microvm"):
        for k in ("dd.write_mbs", "dd.read_mbs", "fio.randread4k_iops"):
            r.add(f"hw.disk.{vmm}.{k}", 500)
        for k in ("tx1", "tx4", "rx1", "rx4"):
            r.add(f"hw.net.{vmm}.iperf3.{k}", 9000)
        r.commands[f"disk.{vmm}"] = f"{vmm} disk"
        r.commands[f"net.{vmm}"] = f"ip netns exec NS {vmm} net"
    for k in ("kentry", "init", "exit", "tftp_mbs", "client_mbs"):
        r.add(f"hw.nb.{k}", 100)
    r.commands["netboot"] = "ip netns exec NS minivmm -netboot"
