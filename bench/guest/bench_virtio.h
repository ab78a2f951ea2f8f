/* SPDX-License-Identifier: MIT */
/*
 * Finds a virtio-mmio (version 2) device for the benchmark guest's drivers
 * (bench_blk.c, bench_net.c), under minivmm and under QEMU microvm.
 */
#ifndef BENCH_VIRTIO_H
#define BENCH_VIRTIO_H

#include <stdint.h>

#include <linux/virtio_ids.h>	/* VIRTIO_ID_NET, VIRTIO_ID_BLOCK */

/*
 * The window of the first virtio-mmio v2 device with this device id
 * (VIRTIO_ID_*), or 0.
 * Searched: minivmm's windows (boot/layout.h), then QEMU microvm's
 * (0xfeb00000, 512 bytes each); an empty window reads as 0 or ~0.
 */
uint64_t bench_virtio_find(uint32_t device_id);

#endif
