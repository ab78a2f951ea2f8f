/* SPDX-License-Identifier: MIT */
/*
 * The fake virtio host and driver shared by the virtio unit tests and the
 * fuzz drivers.
 *
 * Host: what vmm/ gives a virtio-mmio transport, without KVM: an MMIO bus
 * the window registers on, an irqfd that is a plain eventfd, no ioeventfd
 * (the transport then signals its kick fds itself), and malloc'd guest RAM
 * at gpa 0.
 *
 * Driver: register access through the bus, the Linux bring-up order
 * (reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, DRIVER_OK)
 * and split queues in that RAM, laid out with the kernel's
 * <linux/virtio_ring.h> structs.
 *
 * (vmm/device_table.c owns the real slot rule; a test only needs some
 * window, and uses the same numbers so addresses read alike.)
 */
#ifndef MINIVMM_TESTS_FAKE_VIRTIO_H
#define MINIVMM_TESTS_FAKE_VIRTIO_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "boot/layout.h"
#include "devices/virtio_mmio.h"
#include "vmm/bus.h"

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

/* ---- the host ---- */

struct fake_virtio_host {
	struct virtio_mmio_host ops;	/* hand &ops to *_create() */
	struct bus bus;
	uint64_t base;			/* the window of the device */
	int irq_fd;			/* counts the interrupts raised */
	uint32_t irq_gsi;		/* the GSI of the last one */
	uint8_t *ram;
	struct guest_mem mem;
};

static inline int fake_virtio_register(void *opaque, const struct bus_device *d)
{
	return bus_register(&((struct fake_virtio_host *)opaque)->bus, d);
}

static inline int fake_virtio_pulse_irq(void *opaque, uint32_t gsi)
{
	struct fake_virtio_host *h = opaque;
	uint64_t one = 1;

	h->irq_gsi = gsi;
	return write(h->irq_fd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

/*
 * ram_size bytes of zeroed guest RAM at gpa 0 (none for 0: a second
 * device may share another host's mem); the device in slot.
 */
static inline void fake_virtio_host_init(struct fake_virtio_host *h,
					 uint64_t ram_size, unsigned int slot)
{
	memset(h, 0, sizeof(*h));
	h->ops.opaque = h;
	h->ops.register_mmio = fake_virtio_register;
	h->ops.pulse_irq = fake_virtio_pulse_irq;
	h->base = fake_virtio_window(slot).base;
	h->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!ram_size)
		return;
	h->ram = calloc(1, ram_size);
	h->mem.region[0] = (struct guest_mem_region){ 0, ram_size, h->ram };
	h->mem.nr_regions = 1;
	h->mem.ram_size = ram_size;
}

/* After the device is destroyed. */
static inline void fake_virtio_host_free(struct fake_virtio_host *h)
{
	free(h->ram);
	h->ram = NULL;
	if (h->irq_fd >= 0)
		close(h->irq_fd);
	h->irq_fd = -1;
}

static inline void *fake_virtio_gpa(const struct fake_virtio_host *h,
				    uint64_t gpa)
{
	return h->ram + gpa;
}

/* ---- the driver: registers ---- */

static inline uint32_t fake_virtio_rd(struct fake_virtio_host *h, uint64_t off)
{
	uint32_t v = 0;

	bus_read(&h->bus, h->base + off, &v, 4);
	return v;
}

static inline void fake_virtio_wr(struct fake_virtio_host *h, uint64_t off,
				  uint32_t v)
{
	bus_write(&h->bus, h->base + off, &v, 4);
}

static inline void fake_virtio_wr64(struct fake_virtio_host *h,
				    uint64_t off_low, uint64_t v)
{
	fake_virtio_wr(h, off_low, (uint32_t)v);
	fake_virtio_wr(h, off_low + 4, (uint32_t)(v >> 32));
}

static inline uint64_t fake_virtio_device_features(struct fake_virtio_host *h)
{
	uint64_t lo;

	fake_virtio_wr(h, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = fake_virtio_rd(h, VIRTIO_MMIO_DEVICE_FEATURES);
	fake_virtio_wr(h, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return lo | (uint64_t)fake_virtio_rd(h, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

#define FAKE_VIRTIO_STATUS_FEATURES_OK \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
	 VIRTIO_CONFIG_S_FEATURES_OK)
#define FAKE_VIRTIO_STATUS_LIVE \
	(FAKE_VIRTIO_STATUS_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)

/*
 * Reset, ACKNOWLEDGE, DRIVER, write features as given (no masking: a test
 * may offer what the device does not), FEATURES_OK.  Returns the status
 * register afterwards.
 */
static inline uint32_t fake_virtio_negotiate(struct fake_virtio_host *h,
					     uint64_t features)
{
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, 0);
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS,
		       VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	fake_virtio_wr(h, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	fake_virtio_wr(h, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	fake_virtio_wr(h, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	fake_virtio_wr(h, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, FAKE_VIRTIO_STATUS_FEATURES_OK);
	return fake_virtio_rd(h, VIRTIO_MMIO_STATUS);
}

/* DRIVER_OK; returns the status register afterwards. */
static inline uint32_t fake_virtio_driver_ok(struct fake_virtio_host *h)
{
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, FAKE_VIRTIO_STATUS_LIVE);
	return fake_virtio_rd(h, VIRTIO_MMIO_STATUS);
}

/* ---- the driver: split queues in guest RAM ---- */

struct fake_vq {
	struct fake_virtio_host *h;
	unsigned int index;
	uint16_t size;
	uint64_t desc, avail, used;	/* gpas of the three parts */
	uint16_t avail_idx;		/* the driver's avail idx */
	uint16_t next_desc;		/* round-robin descriptor allocation */
	uint16_t used_seen;		/* used entries consumed */
};

/*
 * Program queue index (size entries, rings at the given gpas, zeroed
 * here) and set it ready.
 */
static inline void fake_vq_setup(struct fake_vq *q, struct fake_virtio_host *h,
				 unsigned int index, uint16_t size,
				 uint64_t desc, uint64_t avail, uint64_t used)
{
	*q = (struct fake_vq){ .h = h, .index = index, .size = size,
			       .desc = desc, .avail = avail, .used = used };
	memset(fake_virtio_gpa(h, desc), 0, sizeof(struct vring_desc) * size);
	memset(fake_virtio_gpa(h, avail), 0, 6 + 2 * (size_t)size);
	memset(fake_virtio_gpa(h, used), 0,
	       6 + sizeof(struct vring_used_elem) * (size_t)size);
	fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_SEL, index);
	fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_NUM, size);
	fake_virtio_wr64(h, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	fake_virtio_wr64(h, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
	fake_virtio_wr64(h, VIRTIO_MMIO_QUEUE_USED_LOW, used);
	fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_READY, 1);
}

static inline struct vring_desc *fake_vq_desc(struct fake_vq *q, unsigned int i)
{
	return (struct vring_desc *)fake_virtio_gpa(q->h, q->desc) + i;
}

static inline void fake_vq_set_desc(struct fake_vq *q, unsigned int i,
				    uint64_t addr, uint32_t len,
				    uint16_t flags, uint16_t next)
{
	*fake_vq_desc(q, i) = (struct vring_desc){ addr, len, flags, next };
}

/* Make the chain at head available (release: the device may see it). */
static inline void fake_vq_post(struct fake_vq *q, uint16_t head)
{
	struct vring_avail *a = fake_virtio_gpa(q->h, q->avail);

	a->ring[q->avail_idx % q->size] = head;
	q->avail_idx++;
	__atomic_store_n(&a->idx, q->avail_idx, __ATOMIC_RELEASE);
}

/* One buffer of a chain. */
struct fake_seg {
	uint64_t addr;
	uint32_t len;
	bool write;		/* device-writable */
};

/* Put a chain on q, descriptors allocated round robin; returns its head. */
static inline uint16_t fake_vq_post_chain(struct fake_vq *q,
					  const struct fake_seg *s,
					  unsigned int n)
{
	uint16_t head = q->next_desc % q->size;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t d = q->next_desc++ % q->size;

		fake_vq_set_desc(q, d, s[i].addr, s[i].len,
				 (uint16_t)((s[i].write ? VRING_DESC_F_WRITE : 0) |
					    (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
				 (uint16_t)(q->next_desc % q->size));
	}
	fake_vq_post(q, head);
	return head;
}

static inline void fake_vq_kick(struct fake_vq *q)
{
	fake_virtio_wr(q->h, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

static inline uint16_t fake_vq_used_idx(const struct fake_vq *q)
{
	struct vring_used *u = fake_virtio_gpa(q->h, q->used);

	return __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
}

static inline struct vring_used_elem fake_vq_used_elem(const struct fake_vq *q,
						       uint16_t i)
{
	struct vring_used *u = fake_virtio_gpa(q->h, q->used);

	return u->ring[i % q->size];
}

/*
 * Wait (up to ms, polling each millisecond: CI may be busy) until n more
 * used entries than used_seen are there; consumes them.
 */
static inline bool fake_vq_wait_used(struct fake_vq *q, unsigned int n, int ms)
{
	struct timespec ts = { 0, 1000000 };

	for (int i = 0; i < ms; i++) {
		if ((uint16_t)(fake_vq_used_idx(q) - q->used_seen) >= n) {
			q->used_seen = (uint16_t)(q->used_seen + n);
			return true;
		}
		nanosleep(&ts, NULL);
	}
	return false;
}

/* The length the device wrote for the last entry consumed. */
static inline uint32_t fake_vq_last_used_len(const struct fake_vq *q)
{
	return fake_vq_used_elem(q, (uint16_t)(q->used_seen - 1)).len;
}

#endif
