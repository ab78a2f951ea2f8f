// SPDX-License-Identifier: MIT
/*
 * virtio-mmio device discovery for the benchmark guest: probes the magic,
 * version and device id registers of every window minivmm or QEMU microvm
 * may use.
 */
#include "bench/guest/bench_virtio.h"

#include <stdbool.h>

#include "boot/layout.h"
#include "tests/guest/lib/guest_io.h"

#define VMMIO_MAGIC		0x000
#define VMMIO_VERSION		0x004
#define VMMIO_DEVICE_ID		0x008
#define VMMIO_MAGIC_VALUE	0x74726976	/* "virt" */
#define QEMU_MICROVM_MMIO	0xfeb00000ULL
#define QEMU_MICROVM_STRIDE	0x200
#define QEMU_MICROVM_SLOTS	24

static bool bench_virtio_is(uint64_t base, uint32_t device_id)
{
	return mmio_read32(base + VMMIO_MAGIC) == VMMIO_MAGIC_VALUE &&
	       mmio_read32(base + VMMIO_VERSION) == 2 &&
	       mmio_read32(base + VMMIO_DEVICE_ID) == device_id;
}

uint64_t bench_virtio_find(uint32_t device_id)
{
	unsigned int i;

	for (i = 0; i < LAYOUT_VIRTIO_MMIO_MAX; i++) {
		uint64_t b = LAYOUT_VIRTIO_MMIO_BASE + i * LAYOUT_VIRTIO_MMIO_SIZE;

		if (bench_virtio_is(b, device_id))
			return b;
	}
	for (i = 0; i < QEMU_MICROVM_SLOTS; i++) {
		uint64_t b = QEMU_MICROVM_MMIO + i * QEMU_MICROVM_STRIDE;

		if (bench_virtio_is(b, device_id))
			return b;
	}
	return 0;
}
