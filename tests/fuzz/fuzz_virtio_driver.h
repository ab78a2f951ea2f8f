/* SPDX-License-Identifier: MIT */
/*
 * A hostile virtio-mmio "driver" for the device harnesses, on the shared
 * fake host (tests/lib/fake_virtio.h: an MMIO bus, interrupts counted in an eventfd we
 * poll, malloc'd guest RAM): a bring-up whose every value (features, queue
 * size, ring addresses, extra register writes of any size) comes from the
 * fuzzer input.
 */
#ifndef MINIVMM_FUZZ_VIRTIO_DRIVER_H
#define MINIVMM_FUZZ_VIRTIO_DRIVER_H

#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/virtio_mmio.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/lib/fake_virtio.h"
#include "vmm/bus.h"

#define FUZZ_RAM_SIZE	0x100000ULL	/* 1 MiB at gpa 0 */
#define FUZZ_RAM_FILL	0x10000ULL	/* the input fills the first 64 KiB */
#define FUZZ_SLOT	0
#define FUZZ_BASE	(LAYOUT_VIRTIO_MMIO_BASE + FUZZ_SLOT * LAYOUT_VIRTIO_MMIO_SIZE)

/* Wait up to ms for an interrupt; true if one came. */
static inline bool fuzz_wait_irq(struct fake_virtio_host *h, int ms)
{
	struct pollfd p = { .fd = h->irq_fd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, ms) <= 0)
		return false;
	return read(h->irq_fd, &v, sizeof(v)) == sizeof(v);
}

/* Ring addresses: mostly inside the filled RAM, sometimes anywhere. */
static inline uint64_t fuzz_ring_addr(struct fuzz_input *in, bool wild)
{
	return wild ? fuzz_u64(in) : fuzz_u16(in);
}

/*
 * Bring the device up the Linux way with fuzzed values, then apply up to
 * 8 fuzzed register accesses (any offset in the window, size 1/2/4/8).
 * Returns the status register afterwards.
 */
static inline uint32_t fuzz_driver_up(struct fake_virtio_host *h, struct fuzz_input *in,
				      unsigned int nr_queues)
{
	uint8_t fl = fuzz_u8(in);

	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, 0);
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, 1);
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, 3);
	fake_virtio_wr(h, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	fake_virtio_wr(h, VIRTIO_MMIO_DRIVER_FEATURES, fuzz_u32(in));
	fake_virtio_wr(h, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	fake_virtio_wr(h, VIRTIO_MMIO_DRIVER_FEATURES, (fuzz_u32(in) & 0x7) | 1);
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, 11);
	for (unsigned int q = 0; q < nr_queues; q++) {
		uint64_t d = fuzz_ring_addr(in, fl & 1);
		uint64_t a = fuzz_ring_addr(in, fl & 2);
		uint64_t u = fuzz_ring_addr(in, fl & 4);

		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_SEL, q);
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_NUM, fuzz_u16(in));
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)d);
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(d >> 32));
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)a);
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(a >> 32));
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)u);
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(u >> 32));
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, 15);
	for (unsigned int i = 0; i < (fl >> 5); i++) {
		uint16_t off = fuzz_u16(in) & 0x1ff;
		uint8_t size = (uint8_t)(1u << (fuzz_u8(in) & 3));
		uint64_t v = fuzz_u64(in);

		/* A write of 0 to Status is a reset: allowed, it is hostile. */
		bus_write(&h->bus, FUZZ_BASE + off, &v, size);
		bus_read(&h->bus, FUZZ_BASE + (off ^ 4), &v, size);
	}
	return fake_virtio_rd(h, VIRTIO_MMIO_STATUS);
}

/* Guest RAM from the rest of the input. */
static inline void fuzz_fill_ram(struct fake_virtio_host *h, struct fuzz_input *in)
{
	memset(h->ram, 0, FUZZ_RAM_FILL);
	fuzz_take(in, h->ram, in->left < FUZZ_RAM_FILL ? in->left : FUZZ_RAM_FILL);
}

/* Notify every queue, let the I/O thread work, then reset (which waits
 * for requests in flight). */
static inline void fuzz_kick_and_reset(struct fake_virtio_host *h,
				       unsigned int nr_queues)
{
	for (unsigned int q = 0; q < nr_queues; q++)
		fake_virtio_wr(h, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	for (int i = 0; i < 4 && fuzz_wait_irq(h, 2); i++)
		;
	(void)fake_virtio_rd(h, VIRTIO_MMIO_INTERRUPT_STATUS);
	fake_virtio_wr(h, VIRTIO_MMIO_INTERRUPT_ACK, 3);
	fake_virtio_wr(h, VIRTIO_MMIO_STATUS, 0);
}

#endif
