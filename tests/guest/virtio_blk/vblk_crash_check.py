#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks an image after vblk.c's write stream was killed.

usage: vblk_crash_check.py IMAGE.raw GOLDEN.raw SEED FLUSHED

IMAGE.raw is the overlay converted to raw, GOLDEN.raw its backing file.
Block seq of the stream went to block (seq * STRIDE + SEED) mod the number
of blocks and holds "MVTW%08u-BK\\n" x 256.  Every block whose seq is below
FLUSHED (the guest saw its FLUSH complete) must hold its pattern; every
other 512-byte sector must be the golden sector or the stream's (a write
cut short by the kill may leave some of its sectors).  Prints one summary
line; exit 1 with the first bad block on a mismatch."""

import sys

BLOCK = 4096
SECTOR = 512
STRIDE = 1021  # STREAM_STRIDE of vblk.c


def pattern(seq: int) -> bytes:
    return (b"MVTW%08u-BK\n" % seq) * (BLOCK // 16)


def main() -> int:
    image, golden, seed, flushed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(image, "rb") as f:
        img = f.read()
    with open(golden, "rb") as f:
        gold = f.read()
    if len(img) != len(gold) or len(img) % BLOCK:
        print(f"size {len(img)} of {image}, golden {len(gold)}")
        return 1
    blocks = len(img) // BLOCK
    inverse = pow(STRIDE, -1, blocks)
    written = 0
    for b in range(blocks):
        seq = (b - seed) * inverse % blocks
        got = img[b * BLOCK:(b + 1) * BLOCK]
        want = pattern(seq)
        if got == want:
            written += 1
            continue
        if seq < flushed:
            print(f"block {b} (write {seq}, flushed before the kill) does not hold its data")
            return 1
        old = gold[b * BLOCK:(b + 1) * BLOCK]
        for s in range(0, BLOCK, SECTOR):
            if got[s:s + SECTOR] not in (old[s:s + SECTOR], want[s:s + SECTOR]):
                print(f"block {b} (write {seq}, not flushed) sector {s // SECTOR}: "
                      "neither the old data nor the write's")
                return 1
    print(f"flushed={flushed} blocks_with_new_data={written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
