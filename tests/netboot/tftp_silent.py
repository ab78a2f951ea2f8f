#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tftp_silent.py ADDR ANSWERED UP_FILE SILENT_FILE

A TFTP server (UDP port 69 on ADDR) that answers the first ANSWERED read
requests with "File not found" and then never answers again: a server
that hangs, as seen by the netboot firmware's TFTP timeouts.  It touches
UP_FILE once listening and SILENT_FILE at the first request it leaves
unanswered (the test starts its flood then).  Runs until killed; only in
a test's own network namespace.
"""
import socket
import struct
import sys

TFTP_RRQ = 1
TFTP_ERROR = 5
ERR_NOT_FOUND = 1


def main():
    addr, answered, up_file, silent_file = sys.argv[1:5]
    left = int(answered)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, 69))
    open(up_file, "w").close()
    while True:
        pkt, peer = sock.recvfrom(2048)
        if len(pkt) < 4 or struct.unpack("!H", pkt[:2])[0] != TFTP_RRQ:
            continue
        name = pkt[2:].split(b"\0", 1)[0].decode("ascii", "replace")
        if left > 0:
            left -= 1
            print(f"RRQ {name}: File not found", flush=True)
            # From another port, as a real server answers (RFC 1350).
            reply = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            reply.bind((addr, 0))
            reply.sendto(struct.pack("!HH", TFTP_ERROR, ERR_NOT_FOUND) +
                         b"File not found\0", peer)
            reply.close()
            continue
        print(f"RRQ {name}: no answer", flush=True)
        open(silent_file, "w").close()


if __name__ == "__main__":
    main()
