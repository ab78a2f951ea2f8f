// SPDX-License-Identifier: MIT
/*
 * Polled virtio-mmio driver for the test guests (see guest_virtio.h).
 */
#include "tests/guest/lib/guest_virtio.h"

#include "boot/layout.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_string.h"

/* About 5 s at 4 GHz; the guest may run emulated, the TSC does not. */
#define GUEST_VQ_WAIT_TSC	20000000000ull

#define GUEST_VIRTIO_SET_UP \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
	 VIRTIO_CONFIG_S_FEATURES_OK)

uint32_t guest_virtio_rd(uint64_t base, uint32_t reg)
{
	return mmio_read32(base + reg);
}

void guest_virtio_wr(uint64_t base, uint32_t reg, uint32_t v)
{
	mmio_write32(base + reg, v);
}

static void guest_virtio_wr64(uint64_t base, uint32_t reg_low,
			      const volatile void *p)
{
	uint64_t a = (uint64_t)(uintptr_t)p;	/* identity map */

	guest_virtio_wr(base, reg_low, (uint32_t)a);
	guest_virtio_wr(base, reg_low + 4, (uint32_t)(a >> 32));
}

uint64_t guest_virtio_window(unsigned int slot)
{
	return LAYOUT_VIRTIO_MMIO_BASE +
	       (uint64_t)slot * LAYOUT_VIRTIO_MMIO_SIZE;
}

bool guest_virtio_is(uint64_t base, uint32_t device_id)
{
	return guest_virtio_rd(base, VIRTIO_MMIO_MAGIC_VALUE) ==
		       0x74726976 /* "virt" */ &&
	       guest_virtio_rd(base, VIRTIO_MMIO_VERSION) == 2 &&
	       guest_virtio_rd(base, VIRTIO_MMIO_DEVICE_ID) == device_id;
}

bool guest_virtio_negotiate(uint64_t base, uint32_t want_lo,
			    uint32_t *offered_lo)
{
	uint32_t lo;

	guest_virtio_wr(base, VIRTIO_MMIO_STATUS, 0);
	guest_virtio_wr(base, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	guest_virtio_wr(base, VIRTIO_MMIO_STATUS,
			VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	guest_virtio_wr(base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = guest_virtio_rd(base, VIRTIO_MMIO_DEVICE_FEATURES);
	if (offered_lo)
		*offered_lo = lo;
	guest_virtio_wr(base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	if (!(guest_virtio_rd(base, VIRTIO_MMIO_DEVICE_FEATURES) &
	      GUEST_VIRTIO_F(VIRTIO_F_VERSION_1)))
		return false;
	guest_virtio_wr(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	guest_virtio_wr(base, VIRTIO_MMIO_DRIVER_FEATURES, lo & want_lo);
	guest_virtio_wr(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	guest_virtio_wr(base, VIRTIO_MMIO_DRIVER_FEATURES,
			GUEST_VIRTIO_F(VIRTIO_F_VERSION_1));
	guest_virtio_wr(base, VIRTIO_MMIO_STATUS, GUEST_VIRTIO_SET_UP);
	return guest_virtio_rd(base, VIRTIO_MMIO_STATUS) &
	       VIRTIO_CONFIG_S_FEATURES_OK;
}

bool guest_virtio_driver_ok(uint64_t base)
{
	uint32_t live = GUEST_VIRTIO_SET_UP | VIRTIO_CONFIG_S_DRIVER_OK;

	guest_virtio_wr(base, VIRTIO_MMIO_STATUS, live);
	return guest_virtio_rd(base, VIRTIO_MMIO_STATUS) == live;
}

uint32_t guest_virtio_config32(uint64_t base, uint32_t offset)
{
	return guest_virtio_rd(base, VIRTIO_MMIO_CONFIG + offset);
}

bool guest_vq_setup(struct guest_vq *q, uint64_t base, uint16_t index,
		    void *ring_mem)
{
	guest_virtio_wr(base, VIRTIO_MMIO_QUEUE_SEL, index);
	if (guest_virtio_rd(base, VIRTIO_MMIO_QUEUE_READY) ||
	    guest_virtio_rd(base, VIRTIO_MMIO_QUEUE_NUM_MAX) < GUEST_VQ_SIZE)
		return false;
	memset(ring_mem, 0, GUEST_VQ_RING_BYTES);
	vring_init(&q->vr, GUEST_VQ_SIZE, ring_mem, 4096);
	q->base = base;
	q->index = index;
	q->avail_next = q->used_seen = 0;
	guest_virtio_wr(base, VIRTIO_MMIO_QUEUE_NUM, GUEST_VQ_SIZE);
	guest_virtio_wr64(base, VIRTIO_MMIO_QUEUE_DESC_LOW, q->vr.desc);
	guest_virtio_wr64(base, VIRTIO_MMIO_QUEUE_AVAIL_LOW, q->vr.avail);
	guest_virtio_wr64(base, VIRTIO_MMIO_QUEUE_USED_LOW, q->vr.used);
	guest_virtio_wr(base, VIRTIO_MMIO_QUEUE_READY, 1);
	return true;
}

static void guest_vq_post(struct guest_vq *q, const struct guest_vq_buf *bufs,
			  unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct vring_desc *d = &q->vr.desc[i];

		d->addr = (uint64_t)(uintptr_t)bufs[i].addr;
		d->len = bufs[i].len;
		d->flags = (uint16_t)((bufs[i].device_writes ?
				       VRING_DESC_F_WRITE : 0) |
				      (i + 1 < n ? VRING_DESC_F_NEXT : 0));
		d->next = (uint16_t)(i + 1 < n ? i + 1 : 0);
	}
	q->vr.avail->ring[q->avail_next % GUEST_VQ_SIZE] = 0;
	q->avail_next++;
	/* x86 keeps stores in order; the compiler must too. */
	__asm__ volatile("" ::: "memory");
	*(volatile uint16_t *)&q->vr.avail->idx = q->avail_next;
	__asm__ volatile("mfence" ::: "memory");
	guest_virtio_wr(q->base, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

bool guest_vq_call(struct guest_vq *q, const struct guest_vq_buf *bufs,
		   unsigned int n)
{
	volatile uint16_t *used_idx = &q->vr.used->idx;
	uint64_t t0 = rdtsc();

	if (!n || n > GUEST_VQ_SIZE)
		return false;
	guest_vq_post(q, bufs, n);
	while (*used_idx == q->used_seen) {
		if (rdtsc() - t0 > GUEST_VQ_WAIT_TSC)
			return false;
		__asm__ volatile("pause" ::: "memory");
	}
	q->used_seen++;
	guest_virtio_wr(q->base, VIRTIO_MMIO_INTERRUPT_ACK,
			guest_virtio_rd(q->base, VIRTIO_MMIO_INTERRUPT_STATUS));
	return true;
}
