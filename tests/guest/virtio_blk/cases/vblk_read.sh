#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest reads what the host put on the image: the first 64 KiB sum,
# capacity (size rounded down to 512 with a warning), serial, IOERR past
# the end, UNSUPP for an unknown request type.
# timeout: 90
. "$(dirname "$0")/vblk.bash"

img=$WORK/disk.img
make_image "$img" $((1024 * 1024 + 100))
want=$(sum64k "$img")
vblk_run read -drive "file=$img,serial=MVT-SERIAL-42"
expect_done read
expect_vk read devices 1
expect_vk read 0.capacity 2048
expect_vk read 0.ro 0
expect_vk read 0.serial MVT-SERIAL-42
expect_vk read 0.read.status 0
expect_vk read 0.read.sum "$want"
expect_vk read 0.oob.status 1
expect_vk read 0.unsupp.status 2
grep -q 'not a multiple of 512' "$ERR" || { show_run read; fail "no warning about the odd image size"; }
# Nothing was written: the image is unchanged.
expect_eq "sum after the run" "$(sum64k "$img")" "$want"
echo "PASS: guest read the host's data through virtio-blk"
