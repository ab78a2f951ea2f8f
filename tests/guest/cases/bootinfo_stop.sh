#!/bin/bash
# SPDX-License-Identifier: MIT
# A halted guest is stopped from the host by SIGTERM: exit code 7.
# timeout: 90
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE

HALT_MEM_MB=128 start_halted halt
stop_halted halt
echo "PASS: SIGTERM stops a halted guest with exit code 7"
