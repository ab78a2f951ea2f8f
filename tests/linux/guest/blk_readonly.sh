#!/bin/sh
# SPDX-License-Identifier: MIT
# readonly=on: the disk is read-only to Linux and a write attempt fails.
. /mvt/blk_lib.sh
blk_wait /dev/vda || exit 1
blk_facts vda
if dd if=/dev/zero of=/dev/vda bs=4096 count=1 conv=fsync 2>/dev/null; then
	echo "MVT write=succeeded"
else
	echo "MVT write=failed"
fi
# Even with the block layer's ro flag forced off, the device says IOERR.
blockdev --setrw /dev/vda 2>/dev/null
if dd if=/dev/zero of=/dev/vda bs=4096 count=1 conv=fsync 2>/dev/null; then
	echo "MVT forced_write=succeeded"
else
	echo "MVT forced_write=failed"
fi
echo "MVT after_sha256=$(sha256sum /dev/vda | cut -d' ' -f1)"
