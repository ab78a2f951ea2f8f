/* SPDX-License-Identifier: MIT */
/*
 * Shared by the virtio unit tests and fuzz drivers: the window a device
 * under test sits in.  (vmm/device_table.c owns the real slot rule; a test
 * only needs some window, and uses the same numbers so addresses read alike.)
 */
#ifndef MINIVMM_TESTS_FAKE_VIRTIO_H
#define MINIVMM_TESTS_FAKE_VIRTIO_H

#include "boot/layout.h"
#include "devices/virtio_mmio.h"

static inline struct virtio_mmio_window fake_virtio_window(unsigned int slot)
{
	return (struct virtio_mmio_window){
		.index = slot,
		.base = LAYOUT_VIRTIO_MMIO_BASE + (uint64_t)slot * LAYOUT_VIRTIO_MMIO_SIZE,
		.gsi = IRQ_VIRTIO_MMIO_BASE + slot,
	};
}

/* A pointer to the window of slot, for create calls. */
#define FAKE_WINDOW(slot) (&(const struct virtio_mmio_window){ \
	.index = (slot), \
	.base = LAYOUT_VIRTIO_MMIO_BASE + (uint64_t)(slot) * LAYOUT_VIRTIO_MMIO_SIZE, \
	.gsi = IRQ_VIRTIO_MMIO_BASE + (slot) })

#endif
