# SPDX-License-Identifier: MIT
"""The hardware-KVM-only part: Linux guests (the Debian kernel of
tests/linux and the "microvm" kernel of scripts/microvm-kernel.sh) with the
layer-3 test initramfs and the guest scripts of bench/linux/, minivmm vs
QEMU microvm: boot, dd + fio, iperf3, netboot with the Debian installer's
sizes.  Only meaningful with hardware KVM; in the nested harness' L1 it
runs for the harness' correctness (the document says so)."""

import os
import shutil
import subprocess
import time
from typing import Dict, List

from .context import HW_MEM, Bench, log, read, wait_for
from .measure_netboot import dnsmasq, tftp_root
from .parse import console_tail, mvt_facts, tftp_line, trace_marker


def load_kit(b: Bench, kit_dir: str, no_install: bool) -> bool:
    """b.kit: kernel, microvm_kernel (or the note why not), initrd_boot,
    initrd_net, initrd_disk.  --kit DIR: ready-made (the nested harness'
    L1 has no compiler), KERNEL from the environment; else built by
    bench/provision/hw-kit.sh."""
    kit: Dict[str, str] = {}
    if kit_dir:
        if not os.environ.get("KERNEL"):
            log("--kit: KERNEL not set")
            return False
        kit["kernel"] = os.environ["KERNEL"]
        mk = os.path.join(kit_dir, "microvm.bzImage")
        if os.path.isfile(mk):
            kit["microvm_kernel"] = mk
        else:
            kit["microvm_note"] = read(os.path.join(kit_dir, "microvm.note")).strip() or "not in the kit"
        for k in ("boot", "net", "disk"):
            kit[f"initrd_{k}"] = os.path.join(kit_dir, f"initrd.{k}")
    else:
        args = [os.path.join(b.top, "bench/provision/hw-kit.sh"), b.work]
        if no_install:
            args.append("--no-install")
        p = subprocess.run(args, stdout=subprocess.PIPE, text=True)
        if p.returncode != 0:
            return False
        for line in p.stdout.splitlines():
            k, _, v = line.partition("=")
            if k == "failure":
                b.r.fail(v)
            else:
                kit[k] = v
    b.kit = kit
    return True


def hw_cmd(b: Bench, vmm: str, kernel: str, initrd: str, append: str,
           drive: str = "", tap: str = "") -> List[str]:
    """The command that boots KERNEL under VMM (minivmm, qemu-microvm)."""
    if vmm == "minivmm":
        cmd = [b.tools["minivmm"], "-kernel", kernel, "-initrd", initrd,
               "-m", str(HW_MEM), "-append", append]
        if drive:
            cmd += ["-drive", f"file={drive}"]
        if tap:
            cmd += ["-tap", tap]
        return cmd
    cmd = [b.qemu, "-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", str(HW_MEM),
           "-display", "none", "-serial", "stdio", "-no-reboot", "-nodefaults",
           "-no-user-config", "-global", "virtio-mmio.force-legacy=false",
           "-kernel", kernel, "-initrd", initrd, "-append", append]
    if drive:
        cmd += ["-drive", f"file={drive},if=none,id=d0,format=raw,cache=writeback",
                "-device", "virtio-blk-device,drive=d0"]
    if tap:
        cmd += ["-netdev", f"tap,id=n0,ifname={tap},script=no,downscript=no,vhost=off",
                "-device", "virtio-net-device,netdev=n0"]
    return cmd


def kernels(b: Bench):
    out = [("debian", b.kit["kernel"])]
    if b.kit.get("microvm_kernel"):
        out.append(("microvm", b.kit["microvm_kernel"]))
    return out


def linux_boot(b: Bench) -> None:
    """exec -> MVT-READY (the kernel reached userspace) and -> exit, each
    kernel, minivmm vs QEMU microvm, alternating."""
    app = "console=ttyS0 quiet panic=-1 mvt.run=bench_boot"
    order = [(kern, path, vmm) for kern, path in kernels(b)
             for vmm in ("minivmm", "qemu-microvm")]
    log(f"hardware KVM: Linux boot, {b.p['hw_runs']} alternating rounds")
    out = b.path("hwboot.out")
    for rnd in range(b.p["hw_runs"]):
        for i in range(len(order)):
            kern, path, vmm = order[(i + rnd) % len(order)]
            cmd = hw_cmd(b, vmm, path, b.kit["initrd_boot"], app)
            b.r.commands[f"boot.{kern}.{vmm}"] = b.shown(cmd)
            res = b.stamp(["-t", str(b.p["hw_boot_t"]), "-o", out, "-p", "MVT-READY"], cmd)
            console = read(out)
            if (res.get("rc") != "0" or res.get("pattern_us", "-1") == "-1"
                    or "MVT-DONE rc=0" not in console):
                line = " ".join(f"{k}={v}" for k, v in res.items())
                log(f"{kern}/{vmm} boot failed: {line}")
                b.r.fail("\n".join([f"{kern} kernel, {vmm}, boot: {line}; console tail:",
                                    *("    " + x for x in console_tail(console, 8, True))]))
                continue
            b.r.add(f"hw.boot.{kern}.{vmm}.init", int(res["pattern_us"]) / 1000)
            b.r.add(f"hw.boot.{kern}.{vmm}.exit", int(res["exit_us"]) / 1000)


def guest_run(b: Bench, name: str, limit: int, cmd: List[str]) -> None:
    """Run a benchmark guest; its "MVT k=v" facts go to series hw.NAME.k."""
    try:
        p = subprocess.run(["timeout", "-k", "5", str(limit), *cmd],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace")
        out = p.stdout
    except OSError as e:
        out = str(e)
    for k, v in mvt_facts(out):
        b.r.add(f"hw.{name}.{k}", v)
    if "MVT-DONE rc=0" not in out.replace("\r", ""):
        log(f"{name} run failed")
        b.r.fail("\n".join([f"{name}: {b.shown(cmd)}; console tail:",
                            *("    " + x for x in console_tail(out))]))


def disk(b: Bench) -> None:
    """dd and fio on a virtio-blk disk (Debian kernel)."""
    mb, fio_s = b.p["hw_disk_mb"], b.p["hw_fio_s"]
    app = f"console=ttyS0 quiet mvt.run=bench_disk mvt.mb={mb} mvt.fio_s={fio_s}"
    img = b.path("hw-disk.img")
    log(f"hardware KVM: disk, {b.p['hw_io_runs']} rounds (dd {mb} MiB, fio {fio_s} s)")
    with open(img, "wb") as f:
        f.truncate((mb + 16) << 20)
    for _ in range(b.p["hw_io_runs"]):
        for vmm in ("minivmm", "qemu-microvm"):
            cmd = hw_cmd(b, vmm, b.kit["kernel"], b.kit["initrd_disk"], app, drive=img)
            b.r.commands[f"disk.{vmm}"] = b.shown(cmd)
            guest_run(b, f"disk.{vmm}", b.p["hw_boot_t"] + 4 * fio_s + mb // 10, cmd)
    os.unlink(img)


def net(b: Bench) -> None:
    """iperf3 between the guest and a server in a private namespace: guest
    -> host and host -> guest, 1 and 4 streams (bench/linux/bench_net.sh)."""
    t = b.p["hw_net_t"]
    app = (f"console=ttyS0 quiet mvt.run=bench_net mvt.ip=10.0.3.2/24 "
           f"mvt.server=10.0.3.1 mvt.t={t}")
    if not shutil.which("iperf3"):
        b.r.notes["hw_net"] = "iperf3 not installed"
        return
    log(f"hardware KVM: iperf3, {b.p['hw_io_runs']} rounds of 4 x {t} s")
    ns = f"mvt-benchhw-{os.getpid()}"
    if not b.netns("lan", ns, "10.0.3.1"):
        b.r.notes["hw_net"] = "could not build the test network"
        return
    srv = b.server(["ip", "netns", "exec", ns, "iperf3", "-s", "-B", "10.0.3.1"],
                   b.path("iperf3.log"))
    time.sleep(0.5)
    for _ in range(b.p["hw_io_runs"]):
        for vmm in ("minivmm", "qemu-microvm"):
            cmd = hw_cmd(b, vmm, b.kit["kernel"], b.kit["initrd_net"], app, tap="tap0")
            b.r.commands[f"net.{vmm}"] = "ip netns exec NS " + b.shown(cmd)
            guest_run(b, f"net.{vmm}", b.p["hw_boot_t"] + 8 * t + 20,
                      ["ip", "netns", "exec", ns, *cmd])
    b.server_stop(srv)
    b.netns_del(ns)


def _pad(path: str, mib: int) -> None:
    if os.stat(path).st_size < mib << 20:
        os.truncate(path, mib << 20)


def netboot(b: Bench) -> None:
    """Netboot of Linux with the Debian installer's sizes (the Debian
    kernel and the boot initramfs padded with zeros, which the kernel
    skips): exec -> kernel entry (firmware mark 0x15), -> MVT-READY, ->
    exit; the firmware's TFTP rate beside busybox tftp."""
    r = b.r
    root = tftp_root(b, "hwtftp", "hw_nb")
    if root is None:
        return
    kern, initrd = os.path.join(root, "vmlinuz"), os.path.join(root, "initrd.gz")
    shutil.copy(b.kit["kernel"], kern)
    shutil.copy(b.kit["initrd_boot"], initrd)
    _pad(kern, b.p["hw_nb_kernel_mib"])
    _pad(initrd, b.p["hw_nb_initrd_mib"])
    r.values["hw_nb.kernel_bytes"] = os.stat(kern).st_size
    r.values["hw_nb.initrd_bytes"] = os.stat(initrd).st_size
    with open(os.path.join(root, "pxelinux.cfg/default"), "w") as f:
        f.write("DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.gz\n"
                "  APPEND console=ttyS0 quiet mvt.run=bench_boot\n")
    log(f"hardware KVM: netboot of Linux, {b.p['hw_runs']} runs")
    ns = f"mvt-benchnb-{os.getpid()}"
    if not b.netns("lan", ns, "10.0.2.1"):
        r.notes["hw_nb"] = "could not build the test network"
        return
    # dnsmasq drops root: the TFTP tree must be readable by anybody
    for d in (b.work, root, os.path.join(root, "pxelinux.cfg")):
        os.chmod(d, 0o755)
    for f in (kern, initrd, os.path.join(root, "pxelinux.cfg/default")):
        os.chmod(f, 0o644)
    dlog = b.path("hw-dnsmasq.log")
    srv = dnsmasq(b, ns, root, dlog, ["--no-ping", f"--dhcp-leasefile={b.path('hw-leases')}"])
    wait_for(dlog, "TFTP root", 5)
    cmd = [b.tools["minivmm"], "-netboot", "-tap", "tap0", "-m", str(HW_MEM), "-trace-boot"]
    r.commands["netboot"] = "ip netns exec NS " + b.shown(cmd)
    blksize = None
    for _ in range(b.p["hw_runs"]):
        with open(b.path("hwnb.err"), "w") as err:
            res = b.stamp(["-t", str(b.p["hw_boot_t"] + 120), "-o", b.path("hwnb.out"),
                           "-p", "MVT-READY"], ["ip", "netns", "exec", ns, *cmd], stderr=err)
        out, errtext = read(b.path("hwnb.out")), read(b.path("hwnb.err"))
        if res.get("rc") != "0" or res.get("pattern_us", "-1") == "-1":
            line = " ".join(f"{k}={v}" for k, v in res.items())
            log(f"hardware netboot failed: {line}")
            r.fail("\n".join([f"netboot (hardware sizes): {line}; console tail:",
                              *("    " + x for x in console_tail(out)),
                              *("    " + x for x in errtext.splitlines()[-3:])]))
            continue
        for ms in trace_marker(errtext, 21):
            r.add("hw.nb.kentry", ms)
        r.add("hw.nb.init", int(res["pattern_us"]) / 1000)
        r.add("hw.nb.exit", int(res["exit_us"]) / 1000)
        got = tftp_line(out, "initrd.gz")
        if got and got[1] > 0:
            blksize = got[2]
            r.add("hw.nb.tftp_mbs", got[0] / got[1] / 1000)
    if blksize:
        r.values["hw_nb.blksize"] = blksize
        ns2 = f"mvt-benchnbc-{os.getpid()}"
        if b.netns("client", ns, ns2, "10.0.2.200"):
            time.sleep(0.3)
            size = os.stat(initrd).st_size
            # timed by bench_stamp (busybox date, in L1, has no %N)
            for _ in range(b.p["hw_runs"]):
                res = b.stamp(["-t", "300"], ["ip", "netns", "exec", ns2, "busybox", "tftp",
                                              "-g", "-r", "initrd.gz", "-l", "/dev/null",
                                              "-b", str(blksize), "10.0.2.1"])
                if res.get("rc") != "0":
                    r.fail("host-side tftp client: " + " ".join(f"{k}={v}" for k, v in res.items()))
                    continue
                r.add("hw.nb.client_mbs", size / int(res["exit_us"]))
            b.netns_del(ns2)
    b.server_stop(srv)
    b.netns_del(ns)
    shutil.rmtree(root, ignore_errors=True)


def run(b: Bench, kit_dir: str, no_install: bool, no_hw: bool) -> None:
    """The whole hardware part, or the reason it is skipped (notes.hw)."""
    from .host import hw_skip_reason
    r = b.r
    note = hw_skip_reason()
    if not note and no_hw:
        note = "the run was started with --no-hw"
    if note:
        r.notes["hw"] = note
        log(f"hardware-KVM-only benchmarks skipped: {note}")
        return
    if not load_kit(b, kit_dir, no_install):
        r.notes["hw"] = "the layer-3 test kit (tests/guest/test-kit.sh) could not be built"
        return
    kit = b.kit
    r.values["hw.kernel_name"] = os.path.basename(kit["kernel"])
    r.values["hw.kernel_bytes"] = os.stat(kit["kernel"]).st_size
    if kit.get("microvm_kernel"):
        r.values["hw.microvm_bytes"] = os.stat(kit["microvm_kernel"]).st_size
    else:
        r.notes["microvm"] = kit.get("microvm_note", "not built")
    if not shutil.which(b.qemu) or subprocess.run(
            [b.qemu, "--version"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL).returncode != 0:
        log(f"no {b.qemu}: hardware-KVM runs without QEMU")
        r.fail(f"no {b.qemu} here: no QEMU runs")
    linux_boot(b)
    disk(b)
    net(b)
    netboot(b)
