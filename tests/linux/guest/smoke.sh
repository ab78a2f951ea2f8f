#!/bin/sh
# SPDX-License-Identifier: MIT
# Facts about the machine the guest sees: CPUs, memory, kernel, modules.
echo "MVT nproc=$(nproc)"
echo "MVT cpus_online=$(cat /sys/devices/system/cpu/online)"
echo "MVT memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
echo "MVT kernel=$(uname -r)"
echo "MVT virtio_mmio_devices=$(ls /sys/bus/virtio/devices 2>/dev/null | wc -l)"
