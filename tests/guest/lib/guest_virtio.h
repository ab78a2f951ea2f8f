/* SPDX-License-Identifier: MIT */
/*
 * A polled virtio-mmio (version 2) driver for the freestanding test
 * guests: find a device, bring it up the way Linux does, one split queue,
 * one synchronous request at a time.  No interrupts: a request is done
 * when the used index moves (bounded by the TSC), then the interrupt
 * status is acknowledged so the line drops.
 *
 * The register map, status bits, feature bits and ring layout are the
 * kernel's uapi headers, as in the VMM and the firmware.
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#define GUEST_VQ_SIZE		8
/* vring_size(GUEST_VQ_SIZE, 4096): the used ring starts on the 2nd page. */
#define GUEST_VQ_RING_BYTES	8192

/* The feature bit as a mask of its 32-bit feature word (0 or 1). */
#define GUEST_VIRTIO_F(bit)	(1u << ((bit) % 32))

uint32_t guest_virtio_rd(uint64_t base, uint32_t reg);
void guest_virtio_wr(uint64_t base, uint32_t reg, uint32_t v);

/* The window of minivmm's virtio-mmio slot (boot/layout.h). */
uint64_t guest_virtio_window(unsigned int slot);

/* A virtio-mmio v2 device with this device id sits at base. */
bool guest_virtio_is(uint64_t base, uint32_t device_id);

/*
 * Reset, ACKNOWLEDGE, DRIVER, then offer VERSION_1 plus the device's
 * word-0 features that are also in want_lo, and set FEATURES_OK.  The
 * device's word-0 features go to *offered_lo (may be NULL).  False when
 * the device lacks VERSION_1 or refuses the features.
 */
bool guest_virtio_negotiate(uint64_t base, uint32_t want_lo,
			    uint32_t *offered_lo);

/* DRIVER_OK; true when the device reads back as fully live. */
bool guest_virtio_driver_ok(uint64_t base);

/* Word-aligned config space read (offset from the config start). */
uint32_t guest_virtio_config32(uint64_t base, uint32_t offset);

struct guest_vq {
	uint64_t base;		/* the device's window */
	uint16_t index;		/* which queue */
	uint16_t avail_next;	/* our avail idx */
	uint16_t used_seen;	/* used idx consumed so far */
	struct vring vr;	/* desc/avail/used in the caller's memory */
};

/*
 * Set up queue index of the device at base on ring_mem
 * (GUEST_VQ_RING_BYTES, page-aligned, zeroed here).  False when the queue
 * is live already or smaller than GUEST_VQ_SIZE.
 */
bool guest_vq_setup(struct guest_vq *q, uint64_t base, uint16_t index,
		    void *ring_mem);

/* One buffer of a request chain. */
struct guest_vq_buf {
	const volatile void *addr;
	uint32_t len;
	bool device_writes;
};

/*
 * Post bufs[0, n) (n <= GUEST_VQ_SIZE) as one chain, notify, wait for the
 * device to use it (a few seconds at most).  False when it never did.
 */
bool guest_vq_call(struct guest_vq *q, const struct guest_vq_buf *bufs,
		   unsigned int n);

#endif
