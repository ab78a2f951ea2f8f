#!/bin/bash
# SPDX-License-Identifier: MIT
# Nobody answers DHCP: the firmware retries with back-off (1+2+4+8+16 s),
# then gives up with exit code 5.
# timeout: 120
. "$(dirname "$0")/common.bash"

NETBOOT_TIMEOUT=100 netboot_run nodhcp
expect_rc nodhcp 5
expect_console "no DHCP offer"
echo "PASS: no DHCP server -> exit 5 after the retries"
