#!/bin/sh
# SPDX-License-Identifier: MIT
# The hardware RNG the guest's kernel chose, and what /dev/hwrng gives:
# the byte count of one 64-byte read, and whether two reads differ.
echo "MVT rng_available=$(cat /sys/class/misc/hw_random/rng_available 2>/dev/null | tr ' ' ,)"
echo "MVT rng_current=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
a=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
b=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
echo "MVT hwrng_bytes=$((${#a} / 2))"
[ -n "$a" ] && [ "$a" != "$b" ] && echo "MVT hwrng_differ=1" || echo "MVT hwrng_differ=0"
