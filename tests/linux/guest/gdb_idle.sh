#!/bin/sh
# SPDX-License-Identifier: MIT
# For the debugger case (gdb_kernel): say how many CPUs are online, then
# idle for mvt.idle= seconds (default 30) so the host's gdb can interrupt
# an idle kernel, then end (the guest powers off).
echo "MVT nproc=$(nproc)"
echo "MVT idle=1"
sleep "${MVT_IDLE:-30}"
echo "MVT idle_done=1"
