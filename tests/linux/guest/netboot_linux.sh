#!/bin/sh
# SPDX-License-Identifier: MIT
# Facts for the netboot_linux case: the command line the PXE firmware built
# and the machine the netbooted kernel sees.
echo "MVT cmdline=$(cat /proc/cmdline)"
echo "MVT nproc=$(nproc)"
echo "MVT initrd_ok=1"
