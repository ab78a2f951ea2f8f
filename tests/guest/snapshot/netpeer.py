#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The host side of netcount.bzImage (tests/guest/snapshot/netcount.c).

netpeer.py IFACE LOG READY

On IFACE (a bridge the guest's TAP is attached to, in the test's own
network namespace): every frame of EtherType 0x88b5 the guest sends is
checked (its "NETSEQ" number and pattern) and its number appended to LOG,
one per line ("bad" for a damaged frame); every 20 ms a broadcast frame of
EtherType 0x88b6 numbered 1, 2, ... goes to the guest.  READY is created
once both sockets are open.  Runs until SIGTERM.
"""
import os
import select
import signal
import socket
import struct
import sys
import time

TX_TYPE = 0x88b5    # guest -> host
RX_TYPE = 0x88b6    # host -> guest
PAYLOAD = 64
PERIOD = 0.02


def payload(n):
    head = b"NETSEQ" + struct.pack(">I", n)
    return head + bytes((n * 31 + i) & 0xff for i in range(10, PAYLOAD))


def check(frame):
    """The guest's number, or None when the frame is damaged."""
    if len(frame) < 14 + PAYLOAD:
        return None
    body = frame[14:14 + PAYLOAD]
    if body[:6] != b"NETSEQ":
        return None
    n = struct.unpack(">I", body[6:10])[0]
    return n if body == payload(n) else None


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: netpeer.py IFACE LOG READY")
    iface, log_path, ready = sys.argv[1:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(TX_TYPE))
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    rx.bind((iface, TX_TYPE))
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((iface, 0))
    src = tx.getsockname()[4]
    header = b"\xff" * 6 + src + struct.pack(">H", RX_TYPE)
    with open(log_path, "a", buffering=1) as log:
        open(ready, "w").close()
        n = 0
        due = time.monotonic()
        while True:
            wait = max(0.0, due - time.monotonic())
            if select.select([rx], [], [], wait)[0]:
                frame = rx.recv(65536)
                got = check(frame)
                log.write("bad\n" if got is None else "%d\n" % got)
                continue
            n += 1
            try:
                tx.send(header + payload(n))
            except OSError:
                pass    # no port up on the bridge right now: lost, as on a wire
            due += PERIOD


if __name__ == "__main__":
    main()
