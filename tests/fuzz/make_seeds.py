#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora in tests/fuzz/corpus/<harness>/: small valid
inputs from which libFuzzer mutates.  Run again after a harness changes
its input layout: python3 tests/fuzz/make_seeds.py"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def put(harness, name, data):
    d = os.path.join(HERE, 'corpus', harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def bzimage():
    # A minimal 64-bit bzImage: 4 setup sectors + 1 KiB kernel.
    img = bytearray(5 * 512 + 1024)
    img[0x1f1] = 4                                  # setup_sects
    struct.pack_into('<H', img, 0x1fe, 0xaa55)
    img[0x200:0x202] = b'\xeb\x6a'                  # jump over the header
    img[0x202:0x206] = b'HdrS'
    struct.pack_into('<H', img, 0x206, 0x020f)      # protocol
    img[0x211] = 0x01                               # loadflags: LOADED_HIGH
    struct.pack_into('<I', img, 0x22c, 0x7fffffff)  # initrd_addr_max
    struct.pack_into('<I', img, 0x230, 0x200000)    # kernel_alignment
    img[0x234] = 1                                  # relocatable
    struct.pack_into('<H', img, 0x236, 0x1)         # xloadflags: XLF_KERNEL_64
    struct.pack_into('<I', img, 0x238, 2048)        # cmdline_size
    struct.pack_into('<Q', img, 0x258, 0x1000000)   # pref_address
    struct.pack_into('<I', img, 0x260, 0x10000)     # init_size
    put('bzimage', 'minimal64', bytes(img))
    old = bytearray(img)
    struct.pack_into('<H', old, 0x206, 0x0202)
    put('bzimage', 'protocol-2.02', bytes(old))
    bi = os.path.join(TOP, 'build', 'tests/guest/bootinfo/bootinfo.bzImage')
    if len(sys.argv) > 1:
        bi = sys.argv[1]
    if os.path.exists(bi):
        put('bzimage', 'bootinfo', open(bi, 'rb').read())


def elf_kernel():
    # The boot-info guest's ELF, with and without its PVH note.
    d = os.path.join(TOP, 'build', 'tests/guest/bootinfo')
    for src, name in (('bootinfo.elf', 'bootinfo-pvh'),
                      ('bootinfo-nopvh.elf', 'bootinfo-nopvh')):
        if os.path.exists(os.path.join(d, src)):
            put('elf_kernel', name, open(os.path.join(d, src), 'rb').read())


def dhcp_msg(mtype, xid=0x12345678, opts=b''):
    mac = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
    m = bytearray(240)
    m[0] = 2; m[1] = 1; m[2] = 6
    struct.pack_into('>I', m, 4, xid)
    m[16:20] = bytes([10, 0, 0, 2])                 # yiaddr
    m[20:24] = bytes([10, 0, 0, 1])                 # siaddr
    m[28:34] = mac
    m[108:108 + 10] = b'pxelinux.0'
    m[236:240] = bytes([99, 130, 83, 99])
    o = bytes([53, 1, mtype, 54, 4, 10, 0, 0, 1, 1, 4, 255, 255, 255, 0,
               3, 4, 10, 0, 0, 1, 51, 4, 0, 0, 14, 16]) + opts
    o += bytes([66, 8]) + b'10.0.0.1' + bytes([67, 10]) + b'pxelinux.0'
    o += bytes([209, 7]) + b'default' + bytes([210, 5]) + b'/tftp'
    return bytes(m) + o + b'\xff'


def dhcp():
    put('dhcp', 'offer-once', b'\x00' + dhcp_msg(2))
    put('dhcp', 'offer-ack', b'\x01' + dhcp_msg(2))
    put('dhcp', 'ack', b'\x00' + dhcp_msg(5))
    put('dhcp', 'nak-timeout', b'\x04' + dhcp_msg(6))


def tftp():
    head = struct.pack('<IHBB', 4096, 1024, 4, 1)   # max, blksize, window, tsize

    def pkt(body, port=69, flags=0):
        return struct.pack('<HHB', len(body), port, flags) + body
    oack = b'\x00\x06blksize\x001024\x00windowsize\x004\x00tsize\x001500\x00'
    data1 = b'\x00\x03\x00\x01' + b'A' * 1024
    data2 = b'\x00\x03\x00\x02' + b'B' * 476
    put('tftp', 'oack-two-blocks', head + pkt(oack, 1069) +
        pkt(data1, 1069) + pkt(data2, 1069))
    put('tftp', 'plain-512', struct.pack('<IHBB', 4096, 0, 0, 0) +
        pkt(b'\x00\x03\x00\x01' + b'x' * 100, 2000, 1))
    put('tftp', 'error', head + pkt(b'\x00\x05\x00\x01File not found\x00', 1069))
    put('tftp', 'timeouts', head + pkt(b'', 0, 2) + pkt(b'', 0, 2))


def fw_tftp():
    # 2-byte room, then records: kind (0 server, 1 no DATA_VALID, 2 other
    # port, 3 raw frame), 2-byte length, bytes (fuzz_fw_tftp.c).
    def rec(body, kind=0):
        return struct.pack('<BH', kind, len(body)) + body
    oack = b'\x00\x06blksize\x001468\x00windowsize\x008\x00tsize\x003036\x00'
    blocks = [b'\x00\x03' + struct.pack('>H', n) + bytes([n]) * ln
              for n, ln in ((1, 1468), (2, 1468), (3, 100))]
    put('fw_tftp', 'oack-three-blocks', struct.pack('<H', 4000) + rec(oack) +
        b''.join(rec(b) for b in blocks))
    put('fw_tftp', 'no-data-valid', struct.pack('<H', 4000) + rec(oack, 1) +
        b''.join(rec(b, 1) for b in blocks))
    put('fw_tftp', 'stray-then-blocks', struct.pack('<H', 4000) + rec(oack) +
        rec(blocks[1], 2) + rec(blocks[0]) + rec(b'\xff' * 60, 3) +
        rec(blocks[1]) + rec(blocks[2]))
    # More blocks than the ring holds: the later ones land in place.
    oack512 = b'\x00\x06blksize\x00512\x00windowsize\x008\x00tsize\x0015460\x00'
    many = [b'\x00\x03' + struct.pack('>H', n) + bytes([n]) * (512 if n <= 30 else 100)
            for n in range(1, 32)]
    put('fw_tftp', 'oack-31-blocks', struct.pack('<H', 16000) + rec(oack512) +
        b''.join(rec(b) for b in many))
    put('fw_tftp', 'not-found', struct.pack('<H', 4000) +
        rec(b'\x00\x05\x00\x01File not found\x00'))


def pxelinux():
    base = os.path.join(TOP, 'tests/netboot/data/debian-installer-12')
    cfgs = ['pxelinux.cfg/default',
            'debian-installer/amd64/boot-screens/menu.cfg',
            'debian-installer/amd64/boot-screens/txt.cfg',
            'debian-installer/amd64/boot-screens/syslinux.cfg']
    texts = []
    for c in cfgs:
        p = os.path.join(base, c)
        if os.path.exists(p):
            texts.append(open(p, 'rb').read())
    if texts:
        put('pxelinux', 'debian-installer', b'\x00'.join(texts))
    put('pxelinux', 'simple', b'DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n'
        b'  INITRD initrd.gz\n  APPEND console=ttyS0 initrd=extra.gz\n'
        b'  IPAPPEND 3\n')
    put('pxelinux', 'include-loop', b'INCLUDE a.cfg\nDEFAULT x\x00'
        b'INCLUDE a.cfg\nLABEL x\nLINUX k\x00/prefix/pxelinux.0')
    put('pxelinux', 'menu', b'UI menu.c32\nPROMPT 0\nTIMEOUT 50\n'
        b'ONTIMEOUT two\nMENU TITLE x\nLABEL one\nMENU LABEL ^One\n'
        b'KERNEL one\nLABEL two\nMENU DEFAULT\nLINUX two\nAPPEND a=b\n')


def config():
    put('config', 'drive', b'\x00file=disk.img,readonly=on,cache=none,serial=abc')
    put('config', 'tap', b'\x01tap0,mac=52:54:00:12:34:56,bridge=br0')
    put('config', 'size', b'\x02256M')
    args = [b'-kernel', b'bzImage', b'-initrd', b'initrd', b'-append',
            b'console=ttyS0', b'-m', b'512M', b'-smp', b'cpus=4,sockets=2',
            b'-drive', b'file=a.img', b'-drive', b'file=b.img,cache=unsafe',
            b'-tap', b'tap0', b'-serial', b'file:/tmp/x', b'-user', b'nobody',
            b'-chroot', b'/var/empty', b'-stats', b'-reboot', b'restart']
    put('config', 'argv', b'\x03' + b'\x00'.join(args))
    put('config', 'netboot', b'\x04' + b'\x00'.join([b'-netboot', b'-tap', b'tap1']))


def ring_seed(qsize, desc, avail, used, chains, indirect=None):
    """RAM image (64 KiB) with a split ring: chains = list of lists of
    (addr, len, flags); returns bytearray."""
    ram = bytearray(0x10000)
    i = 0
    heads = []
    for ch in chains:
        heads.append(i)
        for k, (addr, ln, fl) in enumerate(ch):
            nxt = i + 1 if k + 1 < len(ch) else 0
            if k + 1 < len(ch):
                fl |= 1
            struct.pack_into('<QIHH', ram, desc + 16 * i, addr, ln, fl, nxt)
            i += 1
    struct.pack_into('<HH', ram, avail, 0, len(heads))
    for n, h in enumerate(heads):
        struct.pack_into('<H', ram, avail + 4 + 2 * n, h)
    if indirect:
        for k, (addr, ln, fl, nxt) in enumerate(indirect[1]):
            struct.pack_into('<QIHH', ram, indirect[0] + 16 * k, addr, ln, fl, nxt)
    return ram


def virtqueue():
    desc, avail, used = 0x400, 0x600, 0x700
    chains = [[(0x800, 16, 0), (0xa00, 512, 2), (0xc00, 1, 2)],
              [(0xd00, 64, 0)]]
    ram = ring_seed(16, desc, avail, used, chains)
    hdr = bytes([4, 0]) + struct.pack('<HHHB', desc, avail, used, 0x10)
    put('virtqueue', 'two-chains', hdr + bytes(ram[:0xe00]))
    # Indirect table at 0x300 with two entries.
    ram = ring_seed(16, desc, avail, used, [[(0x300, 32, 4)]],
                    (0x300, [(0x800, 16, 1, 1), (0xa00, 512, 2, 0)]))
    hdr = bytes([4, 3]) + struct.pack('<HHHB', desc, avail, used, 0x11)
    put('virtqueue', 'indirect', hdr + bytes(ram[:0xe00]))


def driver_prefix(nq, features_lo, qsize=16):
    out = bytes([0]) + struct.pack('<II', features_lo, 1)
    for q in range(nq):
        base = 0x400 + q * 0x400
        out += struct.pack('<HHHH', base, base + 0x100, base + 0x200, qsize)
    return out


def virtio_blk():
    desc, avail, used = 0x400, 0x500, 0x600
    hdr_at, data_at, st_at = 0xc00, 0x1000, 0xc80
    for name, rtype, sector, dlen in (('read', 0, 2, 1024), ('write', 1, 4, 512),
                                      ('getid', 8, 0, 20), ('flush', 4, 0, 0)):
        chain = [(hdr_at, 16, 0)]
        if dlen:
            chain.append((data_at, dlen, 2 if rtype in (0, 8) else 0))
        chain.append((st_at, 1, 2))
        ram = ring_seed(16, desc, avail, used, [chain])
        struct.pack_into('<IIQ', ram, hdr_at, rtype, 0, sector)
        pre = driver_prefix(1, (1 << 9) | (1 << 13) | (1 << 14))
        put('virtio_blk', name, pre + bytes(ram[:0x1400]))
    chain = [(hdr_at, 16, 0), (0xd00, 16, 0), (st_at, 1, 2)]
    ram = ring_seed(16, desc, avail, used, [chain])
    struct.pack_into('<IIQ', ram, hdr_at, 11, 0, 0)
    struct.pack_into('<QII', ram, 0xd00, 8, 16, 0)
    put('virtio_blk', 'discard', driver_prefix(1, (1 << 13)) + bytes(ram[:0x1400]))


def virtio_net():
    # TX header check part: frame length, features, header (12 bytes).
    txh = struct.pack('<IQ', 60, 1) + bytes([1, 0]) + struct.pack('<HHHHH', 0, 0, 14, 16, 0)
    pre = driver_prefix(2, (1 << 5) | (1 << 0))
    # Queue 0 (RX) at 0x400.., queue 1 (TX) at 0x800..
    ram = bytearray(0x10000)
    r0 = ring_seed(16, 0x400, 0x500, 0x600, [[(0x1000, 1526, 2)]])
    r1 = ring_seed(16, 0x800, 0x900, 0xa00, [[(0xc00, 12, 0), (0xd00, 60, 0)]])
    ram[0x400:0x800] = r0[0x400:0x800]
    ram[0x800:0xc00] = r1[0x800:0xc00]
    ram[0xd00:0xd00 + 12] = b'\xff' * 6 + bytes([0x52, 0x54, 0, 1, 2, 3])
    rx = bytes([1]) + struct.pack('<H', 60) + b'\xff' * 6 + b'\x02' * 6 + b'\x08\x00' + b'\x45' * 46
    put('virtio_net', 'rx-tx', txh + pre + rx + bytes(ram[:0xe00]))


def json():
    put('json', 'qmp-command', b'{"execute": "query-status", "id": [1, "a"]}')
    put('json', 'escapes', b'["\\u00e9\\ud83d\\ude00\\n\\"", "\xc3\xa9"]')
    put('json', 'numbers', b'[0, -0.5e-3, 1E+9, 123456789012345678901, true, false, null]')
    put('json', 'nested', b'{"a": {"b": [[{"c": {}}]], "d": ""}}')


def qmp():
    # First byte: chunk size - 1.
    put('qmp', 'session', b'\x07{"execute": "qmp_capabilities"}\n{"execute": "stop", "id": 1}'
        b'{"execute":"query-status"} {"execute": "nope", "id": [1]}\n')
    put('qmp', 'errors', b'\x00[1] 12 {"x":1} {"execute":1} {bad\n{"execute":"quit","arguments":{"a":1}}')


def fuse_server():
    # Records: opcode selector, nodeid selector, flags, u16 length, bytes
    # (selectors index fuzz_ops[] and the nodeids learnt so far).
    LOOKUP, OPEN, READ, WRITE, OPENDIR, READDIRPLUS, CREATE, MKDIR = 0, 12, 13, 14, 22, 31, 27, 7

    def rec(sel, node, flags, arg):
        return struct.pack('<BBBH', sel, node, flags, len(arg)) + arg
    read_in = struct.pack('<QQIIQII', 0, 0, 4096, 0, 0, 0, 0)
    walk = (rec(LOOKUP, 0, 0, b'file\0') + rec(OPEN, 1, 0, struct.pack('<II', 0, 0)) +
            rec(READ, 0, 4, read_in) + rec(OPENDIR, 0, 0, struct.pack('<II', 0, 0)) +
            rec(READDIRPLUS, 1, 4, read_in) + rec(LOOKUP, 0, 0, b'etc\0'))
    put('fuse_server', 'read-walk', b'\x00' + walk)
    write_in = struct.pack('<QQIIQII', 0, 0, 5, 0, 0, 0, 0) + b'hello'
    make = (rec(CREATE, 0, 0, struct.pack('<IIII', 2, 0o644, 0, 0) + b'new\0') +
            rec(WRITE, 0, 4, write_in) + rec(MKDIR, 0, 0, struct.pack('<II', 0o755, 0) + b'd\0'))
    put('fuse_server', 'write-walk', b'\x01' + make)


def snapshot():
    # docs/snapshots.md: header, section table, sections, then RAM at a
    # page boundary (here one page of RAM).  The sections have the layout
    # the loaders expect (sizes of the x86 <linux/kvm.h> structures).
    import zlib

    def blob(b):
        return struct.pack('<I', len(b)) + b

    def snap(secs):
        off = 64 + 48 * len(secs)
        table = b''
        for name, inst, data in secs:
            table += struct.pack('<24sIIQQ', name, inst, zlib.crc32(data), off, len(data))
            off += len(data)
        mem_off = (off + 4095) & ~4095
        hdr = struct.pack('<8sIIIIQQQIII', b'MVMSNAP\0', 1, 64, len(secs), zlib.crc32(table),
                          off, mem_off, 4096, 0, 0, 0)
        hdr += struct.pack('<I', zlib.crc32(hdr))
        meta = hdr + table + b''.join(d for _, _, d in secs)
        return meta + b'\0' * (mem_off - len(meta)) + b'\x90' * 4096

    cpuid = struct.pack('<IIIIIIIIII', 1, 0, 0, 0x663, 0, 0x80000001, 0x178bfbff, 0, 0, 0)
    msrs = struct.pack('<IIQ', 0x10, 0, 12345)
    vcpu = (blob(cpuid) + blob(b'\0' * 144) + blob(b'\0' * 312) + b'\x01' + blob(b'\0' * 4096) +
            b'\x01' + blob(b'\0' * 392) + struct.pack('<I', 1) + blob(msrs) + blob(b'\0' * 1024) +
            blob(b'\0' * 64) + blob(b'\0' * 4) + blob(b'\0' * 128))
    serial = bytes([0x0f, 3, 0x0b, 0xb0, 0, 0xc1, 0, 1, 0, 1, 1, 2]) + b'ab'
    machine = struct.pack('<QIIIIIII', 4096, 1, 1, 1, 1, 0, 0, 0)
    put('snapshot', 'machine-vcpu-devices', snap([
        (b'machine', 0, machine), (b'vcpu', 0, vcpu), (b'dev:serial', 0, serial),
        (b'dev:ged', 0, struct.pack('<I', 1)), (b'dev:acpi-pm', 0, b'\x01')]))
    # A live virtio-blk transport: queue 0 (8 entries) at 0x1000/0x2000/0x3000.
    vblk = (struct.pack('<IIIQIIIB', 0xf, 0, 0, 1 << 32, 0, 0, 0, 1) + struct.pack('<I', 1) +
            struct.pack('<HBQQQBBHHHB', 8, 1, 0x1000, 0x2000, 0x3000, 1, 0, 0, 0, 0, 0))
    put('snapshot', 'virtio-blk', snap([(b'machine', 0, machine), (b'dev:virtio-blk', 0, vblk)]))
    # A live virtio-net transport (TX chain waiting, one RX chain held):
    # queue 0 at 0x1000/0x2000/0x3000, queue 1 at 0x4000/0x5000/0x6000.
    vnet = (struct.pack('<BHH', 1, 1, 0) +
            struct.pack('<IIIQIIIB', 0xf, 0, 0, 1 << 32, 0, 0, 0, 1) + struct.pack('<I', 2) +
            struct.pack('<HBQQQBBHHHB', 8, 1, 0x1000, 0x2000, 0x3000, 1, 0, 1, 0, 0, 0) +
            struct.pack('<HBQQQBBHHHB', 8, 1, 0x4000, 0x5000, 0x6000, 1, 0, 1, 0, 0, 0))
    put('snapshot', 'virtio-net', snap([(b'machine', 0, machine), (b'dev:virtio-net', 0, vnet)]))
    put('snapshot', 'three-sections', snap([
        (b'machine', 0, blob(b'\x01' * 12)), (b'vcpu', 0, blob(b'r' * 20) + blob(b's' * 8)),
        (b'dev:serial', 0, blob(b'\x00' * 10))]))

def ports():
    # Byte 0: bit 0 = -netboot.  Then exits: selector (bit 0: MMIO), then
    # the fields of fuzz_io_exit() / fuzz_mmio_exit() in their order.
    def io_out(port, val, size=1):
        return (b'\x00' + bytes([0, size, 1]) + struct.pack('<H', port) +
                bytes([0, 0, 0, 0]) + struct.pack('<I', val) + bytes(60))

    def io_in(port, size=1):
        return b'\x00' + bytes([1, size, 1]) + struct.pack('<H', port) + bytes([0, 0, 0, 0]) + bytes(64)

    def mmio(write, off, val):
        return (b'\x01' + bytes([write, 0, 8, 0, off]) + struct.pack('<Q', val))
    boot = (io_out(0x3f8 + 3, 0x03) + io_out(0x3f8 + 1, 0x0f) + b''.join(io_out(0x3f8, c) for c in b'hi\n') +
            io_in(0x3f8 + 5) + io_out(0x510, 1) + io_out(0x511, 3) + io_out(0x511, 2) +
            io_in(0x505) + io_out(0x64, 0xd1) + io_in(0x64) + mmio(0, 8, 0) + io_in(0x1234, 4))
    put('ports', 'kernel-boot', b'\x00' + boot)
    put('ports', 'netboot-verdicts', b'\x01' + io_out(0x511, 1) + io_out(0x511, 3) + io_out(0x511, 2))


for fn in (bzimage, elf_kernel, dhcp, json, qmp, tftp, fw_tftp, pxelinux, config, virtqueue, virtio_blk, virtio_net,
           fuse_server, snapshot, ports):
    fn()
