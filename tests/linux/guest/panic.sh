#!/bin/sh
# SPDX-License-Identifier: MIT
# Force a kernel panic (sysrq 'c'); with panic=N the kernel then reboots.
#
# From here on only the kernel writes to the console: the markers go
# through /dev/kmsg (printk, serialised with the panic's own lines), and
# the init's earlier output is drained from the tty first (stty sets the
# mode with TCSADRAIN), so no userspace byte can land inside the kernel's
# "Kernel panic" line.
stty -F /dev/console sane 2>/dev/null
echo "<2>MVT panicking=1" >/dev/kmsg
echo c >/proc/sysrq-trigger
sleep 30
echo "<2>MVT survived_panic=1" >/dev/kmsg
echo "MVT survived_panic=1"
