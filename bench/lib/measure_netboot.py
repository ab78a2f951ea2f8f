# SPDX-License-Identifier: MIT
"""minivmm -netboot of the benchmark guest from dnsmasq (DHCP + TFTP) in a
private network namespace; then the firmware's TFTP rate and VM exits per
TFTP block, beside busybox tftp fetching the same file from the same
server (the practical limit); then the same against tftpd-hpa and atftpd
(windowsize 8), each beside busybox tftp and curl, with the firmware's
own profile of a block (-trace-boot: busy TSC cycles per block)."""

import os
import subprocess
import shutil
import time

from .context import RAM_MIB, Bench, read
from .parse import trace_marker, tftp_line, tftp_profile, vcpu0_exits

PXE = "DEFAULT bench\nLABEL bench\n  KERNEL benchguest.bzImage\n{initrd}  APPEND bench.action=poweroff\n"


def dnsmasq(b: Bench, ns: str, root: str, logfile: str, extra=()) -> subprocess.Popen:
    return b.server(["ip", "netns", "exec", ns, "dnsmasq", "--no-daemon",
                     "--conf-file=/dev/null", "--port=0", "--interface=br0",
                     "--bind-interfaces", *extra,
                     "--dhcp-range=10.0.2.10,10.0.2.50,1h", "--enable-tftp",
                     f"--tftp-root={root}", "--dhcp-boot=pxelinux.0"], logfile)


def _pxe(root: str, initrd: bool) -> None:
    with open(os.path.join(root, "pxelinux.cfg/default"), "w") as f:
        f.write(PXE.format(initrd="  INITRD big.img\n" if initrd else ""))


def tftp_root(b: Bench, name: str, note: str):
    """The TFTP tree NAME in the work folder (with pxelinux.cfg/), or None
    and the section's NOTE when dnsmasq is missing."""
    if not shutil.which("dnsmasq"):
        b.r.notes[note] = "dnsmasq not installed"
        return None
    root = b.path(name)
    os.makedirs(os.path.join(root, "pxelinux.cfg"))
    return root


def netboot(b: Bench) -> None:
    r = b.r
    root = tftp_root(b, "tftp", "netboot")
    if root is None:
        return
    shutil.copy(b.tools["guest_bz"], os.path.join(root, "benchguest.bzImage"))
    _pxe(root, False)
    ns = f"mvt-bench-{os.getpid()}"
    if not b.netns("lan", ns, "10.0.2.1"):
        r.notes["netboot"] = "could not build the test network"
        return
    srv = dnsmasq(b, ns, root, b.path("dnsmasq.log"))
    time.sleep(0.3)
    cmd = ["ip", "netns", "exec", ns, b.tools["minivmm"], "-netboot", "-tap", "tap0",
           "-m", str(RAM_MIB)]
    r.commands["netboot"] = b.shown(cmd) + " -trace-boot"
    for _ in range(b.p["netboot_runs"]):
        with open(b.path("netboot.err"), "w") as err:
            res = b.stamp(["-t", "60", "-o", b.path("netboot.out"), "-p", "BENCH up"],
                          [*cmd, "-trace-boot"], stderr=err)
        errtext = read(b.path("netboot.err"))
        if res.get("rc") != "0" or res.get("pattern_us", "-1") == "-1":
            r.notes["netboot"] = (f"minivmm -netboot did not boot the guest here (exit "
                                  f"{res.get('rc', '')}): {errtext[:300].replace(chr(10), ' ').strip()}")
            break
        r.add("netboot.first", int(res["first_us"]) / 1000)
        r.add("netboot.guest", int(res["pattern_us"]) / 1000)
        r.add("netboot.exit", int(res["exit_us"]) / 1000)
        # the firmware's "kernel entry" mark (0x15), on minivmm's clock
        for ms in trace_marker(errtext, 21):
            r.add("netboot.kentry", ms)
    if "netboot" not in r.notes:
        tftp(b, root, cmd, ns)
    b.server_stop(srv)
    if "netboot" not in r.notes:
        servers(b, root, cmd, ns)
    b.netns_del(ns)


def tftp(b: Bench, root: str, cmd, ns: str) -> None:
    """Runs without and with a NETBOOT_MIB random initrd alternate
    (-stats); the difference of vcpu0's exits over the initrd's blocks is
    the per-block cost."""
    r, mib = b.r, b.p["netboot_mib"]
    with open(os.path.join(root, "big.img"), "wb") as f:
        f.write(os.urandom(mib << 20))
    blksize = None
    for _ in range(b.p["tftp_runs"]):
        outs = {}
        for initrd, limit in ((False, 120), (True, 300)):
            _pxe(root, initrd)
            try:
                p = subprocess.run(["timeout", str(limit), *cmd, "-stats"],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, errors="replace")
            except OSError:
                break
            if p.returncode != 0:
                break
            outs[initrd] = p
        if len(outs) != 2:
            continue
        got = tftp_line(outs[True].stdout, "big.img")
        e0, e1 = vcpu0_exits(outs[False].stderr), vcpu0_exits(outs[True].stderr)
        if got is None or e0 is None or e1 is None or got[1] <= 0:
            continue
        size, ms, blksize = got
        r.add("netboot.tftp_mbs", size / ms / 1000)
        r.add("netboot.exits_per_block", (e1 - e0) / (size // blksize + 1))
    if blksize is None:
        return
    r.values["netboot.blksize"] = blksize
    r.values["netboot.mib"] = mib
    # the practical limit: a host-side client, another namespace, same bridge
    ns2 = f"mvt-benchc-{os.getpid()}"
    if not b.netns("client", ns, ns2, "10.0.2.200"):
        r.fail("netboot: could not build the client namespace")
        return
    time.sleep(0.3)
    for _ in range(b.p["tftp_runs"]):
        t0 = time.monotonic_ns()
        p = subprocess.run(["ip", "netns", "exec", ns2, "busybox", "tftp", "-g", "-r",
                            "big.img", "-l", "/dev/null", "-b", str(blksize), "10.0.2.1"])
        t1 = time.monotonic_ns()
        if p.returncode == 0:
            r.add("netboot.client_mbs", (mib << 20) / ((t1 - t0) / 1e9) / 1e6)
    b.netns_del(ns2)


TFTPD_HPA = "/usr/local/lib/minivmm/tftpd-hpa/usr/sbin/in.tftpd"
SERVER_IP = "10.0.2.1"


def _tftp_servers(root: str, ns: str):
    """(name, command) of the TFTP servers installed here besides dnsmasq:
    tftpd-hpa as scripts/install-deps.sh unpacks it, atftpd."""
    out = []
    if os.access(TFTPD_HPA, os.X_OK):
        out.append(("tftpd-hpa", ["ip", "netns", "exec", ns, TFTPD_HPA, "-L", "-s",
                                  "-u", "root", "-a", f"{SERVER_IP}:69", root]))
    atftpd = shutil.which("atftpd") or ("/usr/sbin/atftpd"
                                         if os.access("/usr/sbin/atftpd", os.X_OK) else None)
    if atftpd:
        out.append(("atftpd", ["ip", "netns", "exec", ns, atftpd, "--daemon", "--no-fork",
                               "--port", "69", "--bind-address", SERVER_IP, "--user",
                               "root", "--group", "root", root]))
    return out


def _client_mbs(cmd, mib: int) -> float:
    """MB/s of one host-side fetch of big.img, or 0 when it failed."""
    t0 = time.monotonic_ns()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t1 = time.monotonic_ns()
    return (mib << 20) / ((t1 - t0) / 1e9) / 1e6 if p.returncode == 0 else 0.0


def servers(b: Bench, root: str, cmd, ns: str) -> None:
    """The firmware's TFTP rate from tftpd-hpa and atftpd (DHCP from
    dnsmasq without its TFTP), beside busybox tftp and curl fetching the
    same file from the same server; and, with -trace-boot, the firmware's
    own busy cycles per block."""
    r, mib = b.r, b.p["netboot_mib"]
    found = _tftp_servers(root, ns)
    if not found:
        r.notes["netboot.servers"] = "neither tftpd-hpa nor atftpd installed"
        return
    os.chmod(root, 0o755)
    _pxe(root, True)
    dhcp = b.server(["ip", "netns", "exec", ns, "dnsmasq", "--no-daemon",
                     "--conf-file=/dev/null", "--port=0", "--interface=br0",
                     "--bind-interfaces", "--dhcp-range=10.0.2.10,10.0.2.50,1h",
                     f"--dhcp-boot=pxelinux.0,,{SERVER_IP}"], b.path("dhcp.log"))
    ns2 = f"mvt-benchs-{os.getpid()}"
    if not b.netns("client", ns, ns2, "10.0.2.201"):
        r.fail("netboot servers: could not build the client namespace")
        b.server_stop(dhcp)
        return
    curl = shutil.which("curl")
    for name, scmd in found:
        srv = b.server(scmd, b.path(f"{name}.log"))
        time.sleep(0.5)
        r.commands[f"netboot.srv.{name}"] = b.shown(scmd)
        # the rate without the profile (its rdtsc are VM exits on some
        # KVMs), then one profiled run (-trace-boot) per round
        for _ in range(b.p["tftp_runs"]):
            outs = []
            for extra in ([], ["-trace-boot"]):
                p = subprocess.run(["timeout", "300", *cmd, *extra],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True, errors="replace")
                got = tftp_line(p.stdout, "big.img")
                if p.returncode != 0 or got is None or got[1] <= 0:
                    r.fail(f"netboot from {name}: exit {p.returncode}")
                    break
                outs.append((got, p.stdout))
            if len(outs) != 2:
                continue
            size, ms, bs = outs[0][0]
            r.add(f"netboot.srv.{name}.fw_mbs", size / ms / 1000)
            prof = tftp_profile(outs[1][1], "big.img")
            if prof:
                r.add(f"netboot.srv.{name}.busy_cycles", prof[0])
                r.add(f"netboot.srv.{name}.block_cycles", prof[1])
            v = _client_mbs(["ip", "netns", "exec", ns2, "busybox", "tftp", "-g", "-r",
                             "big.img", "-l", "/dev/null", "-b", str(bs), SERVER_IP], mib)
            if v:
                r.add(f"netboot.srv.{name}.busybox_mbs", v)
            if curl:
                v = _client_mbs(["ip", "netns", "exec", ns2, curl, "-s", "-o", "/dev/null",
                                 "--tftp-blksize", str(bs), f"tftp://{SERVER_IP}/big.img"],
                                mib)
                if v:
                    r.add(f"netboot.srv.{name}.curl_mbs", v)
        b.server_stop(srv)
    b.server_stop(dhcp)
    b.netns_del(ns2)
