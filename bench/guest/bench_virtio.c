// SPDX-License-Identifier: MIT
/*
 * virtio-mmio device discovery for the benchmark guest: probes the magic,
 * version and device id registers of every window minivmm or QEMU microvm
 * may use.
 */
#include "bench/guest/bench_virtio.h"

#include <stdbool.h>

#include "boot/layout.h"
#include "tests/guest/lib/guest_virtio.h"

#define QEMU_MICROVM_MMIO	0xfeb00000ULL
#define QEMU_MICROVM_STRIDE	0x200
#define QEMU_MICROVM_SLOTS	24

uint64_t bench_virtio_find(uint32_t device_id)
{
	unsigned int i;

	for (i = 0; i < LAYOUT_VIRTIO_MMIO_MAX; i++) {
		uint64_t b = guest_virtio_window(i);

		if (guest_virtio_is(b, device_id))
			return b;
	}
	for (i = 0; i < QEMU_MICROVM_SLOTS; i++) {
		uint64_t b = QEMU_MICROVM_MMIO + i * QEMU_MICROVM_STRIDE;

		if (guest_virtio_is(b, device_id))
			return b;
	}
	return 0;
}
