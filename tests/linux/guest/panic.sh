#!/bin/sh
# SPDX-License-Identifier: MIT
# Force a kernel panic (sysrq 'c'); with panic=N the kernel then reboots.
echo "MVT panicking=1"
echo c >/proc/sysrq-trigger
sleep 30
echo "MVT survived_panic=1"
