#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/snapshot_restore.py's guest: say "MVT snap=ready", then wait for
# a line on the console (the host types it into the restored VM) and
# answer with a command's output.
echo "MVT snap=ready"
read -r line </dev/ttyS0
echo "MVT out=$(uname -s)"
