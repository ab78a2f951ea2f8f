#!/bin/sh
# SPDX-License-Identifier: MIT
# Facts about the machine the guest sees: CPUs, memory, kernel, modules.
echo "MVT nproc=$(nproc)"
echo "MVT cpus_online=$(cat /sys/devices/system/cpu/online)"
echo "MVT memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
echo "MVT kernel=$(uname -r)"
echo "MVT virtio_mmio_devices=$(ls /sys/bus/virtio/devices 2>/dev/null | wc -l)"
# The boot protocol's type_of_loader (offset 0x210 of boot_params): 0xff
# from minivmm's bzImage loader, 0xb0 (0x90 under Xen) when the kernel
# built boot_params itself on a PVH entry.
echo "MVT loader_type=$(od -An -tx1 -j 528 -N 1 /sys/kernel/boot_params/data 2>/dev/null | tr -d ' ')"
