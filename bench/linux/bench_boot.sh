#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of bench.sh's Linux boot benchmark (hardware KVM only): the
# time is taken on the host at MVT-READY and at the exit; this only says
# how long the kernel thinks it took.
echo "MVT uptime=$(cut -d' ' -f1 /proc/uptime)"
