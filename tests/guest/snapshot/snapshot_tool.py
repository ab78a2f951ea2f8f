#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helpers of the snapshot cases (standard library only).

snapshot_tool.py save SOCKET FILE [--quit]
    Over QMP: x-minivmm-save to FILE (then the VM quits with --quit).
    Prints the reply; exit 1 if it is an error.

snapshot_tool.py quit SOCKET
    Over QMP: quit.

snapshot_tool.py clone SRC DST
    Copy a snapshot keeping its holes (BusyBox cp has no --sparse).

snapshot_tool.py edit FILE (--version N | --cpuid-bit LEAF REG BIT |
                            --flip-section NAME)
    Rewrite a snapshot the way a foreign or damaged one would look, with
    every checksum made right again (so only the change itself can be
    what -restore refuses): another format version; a CPUID feature bit
    (leaf LEAF, subleaf 0, register eax|ebx|ecx|edx) set in what vCPU 0
    saw; or one byte of section NAME flipped (checksums left alone).

The file format is docs/snapshots.md's, read here independently of the
C code.
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from qmp_session import Client  # noqa: E402

HDR = struct.Struct('<8sIIIIQQQIII')   # up to header_crc
SEC = struct.Struct('<24sIIQQ')
CPUID_ENTRY = 40                       # struct kvm_cpuid_entry2


def save(sock, path, quit_after):
    c = Client(sock)
    c.execute('qmp_capabilities')
    args = {'file': path}
    if quit_after:
        args['quit'] = True
    reply = c.execute('x-minivmm-save', arguments=args)
    print(reply)
    return 0 if 'return' in reply else 1


def quit_vm(sock):
    c = Client(sock)
    c.execute('qmp_capabilities')
    print(c.execute('quit'))
    return 0


def clone(src, dst):
    chunk = 1 << 20
    with open(src, 'rb') as f, open(dst, 'wb') as g:
        off = 0
        while True:
            data = f.read(chunk)
            if not data:
                break
            if data.count(0) != len(data):
                g.seek(off)
                g.write(data)
            off += len(data)
        g.truncate(off)
    return 0


def read(path):
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    fields = list(HDR.unpack_from(data, 0))
    nsec = fields[3]
    secs = [list(SEC.unpack_from(data, 64 + i * SEC.size)) for i in range(nsec)]
    return data, fields, secs


def write(path, data, fields, secs, reseal=True):
    if reseal:
        for s in secs:
            s[2] = zlib.crc32(bytes(data[s[3]:s[3] + s[4]]))
        table = b''.join(SEC.pack(*s) for s in secs)
        data[64:64 + len(table)] = table
        fields[4] = zlib.crc32(table)
        hdr = HDR.pack(*fields)
        data[0:60] = hdr
        data[60:64] = struct.pack('<I', zlib.crc32(hdr))
    with open(path, 'r+b') as f:
        f.write(bytes(data[:fields[5]]))


def section(secs, name, inst=0):
    for s in secs:
        if s[0].rstrip(b'\0') == name.encode() and s[1] == inst:
            return s
    raise SystemExit('no section %s/%d' % (name, inst))


def set_cpuid_bit(data, secs, leaf, reg, bit):
    s = section(secs, 'vcpu', 0)
    off = s[3]
    (length,) = struct.unpack_from('<I', data, off)
    for e in range(off + 4, off + 4 + length, CPUID_ENTRY):
        fn, idx = struct.unpack_from('<II', data, e)
        if fn == leaf and idx == 0:
            r = e + 12 + 4 * ['eax', 'ebx', 'ecx', 'edx'].index(reg)
            (v,) = struct.unpack_from('<I', data, r)
            struct.pack_into('<I', data, r, v | (1 << bit))
            return
    raise SystemExit('vCPU 0 saw no CPUID leaf 0x%x' % leaf)


def edit(argv):
    path, what = argv[0], argv[1]
    data, fields, secs = read(path)
    reseal = True
    if what == '--version':
        fields[1] = int(argv[2])
    elif what == '--cpuid-bit':
        set_cpuid_bit(data, secs, int(argv[2], 0), argv[3], int(argv[4]))
    elif what == '--flip-section':
        s = section(secs, argv[2])
        data[s[3] + s[4] // 2] ^= 0x20
        reseal = False
    else:
        raise SystemExit('unknown edit ' + what)
    write(path, data, fields, secs, reseal)
    return 0


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == 'save':
        return save(sys.argv[2], sys.argv[3], '--quit' in sys.argv[4:])
    if len(sys.argv) == 4 and sys.argv[1] == 'clone':
        return clone(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 3 and sys.argv[1] == 'quit':
        return quit_vm(sys.argv[2])
    if len(sys.argv) >= 4 and sys.argv[1] == 'edit':
        return edit(sys.argv[2:])
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
