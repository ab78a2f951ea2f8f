#!/bin/sh
# SPDX-License-Identifier: MIT
# Reboot at once: minivmm must end with exit code 3.
echo "MVT rebooting=1"
sync
reboot -f
sleep 30
echo "MVT survived_reboot=1"
