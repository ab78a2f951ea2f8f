// SPDX-License-Identifier: MIT
/*
 * Polled virtio-blk over virtio-mmio v2, just enough for the device-cost
 * benchmark.  One request in flight: header, 4 KiB buffer, status byte.
 * The device is found by bench_virtio_find() (bench_virtio.c).
 */
#include "bench/guest/bench_blk.h"

#include <stdbool.h>
#include <stddef.h>

#include "bench/guest/bench_virtio.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_string.h"

#define VMMIO_DEV_FEATURES	0x010
#define VMMIO_DEV_FEATURES_SEL	0x014
#define VMMIO_DRV_FEATURES	0x020
#define VMMIO_DRV_FEATURES_SEL	0x024
#define VMMIO_QUEUE_SEL		0x030
#define VMMIO_QUEUE_NUM_MAX	0x034
#define VMMIO_QUEUE_NUM		0x038
#define VMMIO_QUEUE_READY	0x044
#define VMMIO_QUEUE_NOTIFY	0x050
#define VMMIO_INT_STATUS	0x060
#define VMMIO_INT_ACK		0x064
#define VMMIO_STATUS		0x070
#define VMMIO_QUEUE_DESC	0x080
#define VMMIO_QUEUE_AVAIL	0x090
#define VMMIO_QUEUE_USED	0x0a0
#define VMMIO_CONFIG		0x100
#define VIRTIO_F_VERSION_1_HI	1		/* bit 32: bit 0 of word 1 */
#define ST_ACK			1
#define ST_DRIVER		2
#define ST_DRIVER_OK		4
#define ST_FEATURES_OK		8
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define BLK_SCATTER		40503U	/* odd: a permutation of 2^k blocks */
#define BLK_SECTOR		512
#define BLK_BLOCK		4096
#define BLK_QSIZE		8
#define BLK_POLL_MAX		10000000U	/* about 3 s emulated */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct blk_req_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

/* Everything one polled request needs; lives on the guest's stack. */
struct bench_blk_ring {
	uint8_t data[BLK_BLOCK];
	struct vring_desc desc[BLK_QSIZE];
	struct {
		uint16_t flags, idx, ring[BLK_QSIZE], used_event;
	} avail;
	struct {
		uint16_t flags, idx;
		struct { uint32_t id, len; } ring[BLK_QSIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	struct blk_req_hdr hdr;
	volatile uint8_t status;
} __attribute__((aligned(16)));

static uint32_t rd(uint64_t base, uint32_t off)
{
	return mmio_read32(base + off);
}

static void wr(uint64_t base, uint32_t off, uint32_t v)
{
	mmio_write32(base + off, v);
}

static void wr64(uint64_t base, uint32_t off, const void *p)
{
	uint64_t a = (uint64_t)(uintptr_t)p;

	wr(base, off, (uint32_t)a);
	wr(base, off + 4, (uint32_t)(a >> 32));
}

static bool bench_blk_setup(uint64_t base, struct bench_blk_ring *q)
{
	wr(base, VMMIO_STATUS, 0);
	wr(base, VMMIO_STATUS, ST_ACK | ST_DRIVER);
	wr(base, VMMIO_DEV_FEATURES_SEL, 1);
	if (!(rd(base, VMMIO_DEV_FEATURES) & VIRTIO_F_VERSION_1_HI))
		return false;
	wr(base, VMMIO_DRV_FEATURES_SEL, 1);
	wr(base, VMMIO_DRV_FEATURES, VIRTIO_F_VERSION_1_HI);
	wr(base, VMMIO_DRV_FEATURES_SEL, 0);
	wr(base, VMMIO_DRV_FEATURES, 0);
	wr(base, VMMIO_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	if (!(rd(base, VMMIO_STATUS) & ST_FEATURES_OK))
		return false;
	wr(base, VMMIO_QUEUE_SEL, 0);
	if (rd(base, VMMIO_QUEUE_NUM_MAX) < BLK_QSIZE)
		return false;
	wr(base, VMMIO_QUEUE_NUM, BLK_QSIZE);
	wr64(base, VMMIO_QUEUE_DESC, q->desc);
	wr64(base, VMMIO_QUEUE_AVAIL, &q->avail);
	wr64(base, VMMIO_QUEUE_USED, &q->used);
	wr(base, VMMIO_QUEUE_READY, 1);
	wr(base, VMMIO_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	return true;
}

/* One read or write of 4 KiB at sector; true when the device completed it OK. */
static bool bench_blk_io(uint64_t base, struct bench_blk_ring *q,
			 uint64_t sector, bool write)
{
	uint16_t want = (uint16_t)(q->used.idx + 1);
	unsigned int i;

	q->hdr = (struct blk_req_hdr){
		.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
		.sector = sector };
	q->status = 0xff;
	q->desc[0] = (struct vring_desc){ (uintptr_t)&q->hdr, sizeof(q->hdr),
					  VRING_DESC_F_NEXT, 1 };
	q->desc[1] = (struct vring_desc){ (uintptr_t)q->data, BLK_BLOCK,
		VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE), 2 };
	q->desc[2] = (struct vring_desc){ (uintptr_t)&q->status, 1,
					  VRING_DESC_F_WRITE, 0 };
	q->avail.ring[q->avail.idx % BLK_QSIZE] = 0;
	__asm__ volatile("mfence" ::: "memory");
	q->avail.idx++;
	__asm__ volatile("mfence" ::: "memory");
	wr(base, VMMIO_QUEUE_NOTIFY, 0);
	for (i = 0; i < BLK_POLL_MAX; i++) {
		if (*(volatile uint16_t *)&q->used.idx == want)
			break;
		__asm__ volatile("pause");
	}
	/* Interrupts are off in the guest: acknowledge so the line drops. */
	wr(base, VMMIO_INT_ACK, rd(base, VMMIO_INT_STATUS));
	return i < BLK_POLL_MAX && q->status == 0;
}

/* The block of request i: see bench_blk.h. */
static uint64_t bench_blk_block(const struct bench_blk_pattern *pat,
				uint64_t blocks, unsigned int i)
{
	uint64_t pow2 = 1;

	if (!pat->scattered)
		return i % blocks;
	while (pow2 * 2 <= blocks)
		pow2 *= 2;
	return (uint64_t)i * BLK_SCATTER & (pow2 - 1);
}

void bench_blk_run(unsigned int n, const struct bench_blk_pattern *pat,
		   struct bench_blk_result *r)
{
	struct bench_blk_ring q;
	uint64_t blocks, t0;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	memset(&q, 0, sizeof(q));
	memset(q.data, 0x5a, sizeof(q.data));	/* what writes write */
	r->base = bench_virtio_find(BENCH_VIRTIO_ID_BLOCK);
	if (!r->base || !bench_blk_setup(r->base, &q))
		return;
	r->capacity = rd(r->base, VMMIO_CONFIG) |
		      (uint64_t)rd(r->base, VMMIO_CONFIG + 4) << 32;
	blocks = r->capacity / (BLK_BLOCK / BLK_SECTOR);
	if (!blocks)
		return;
	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		if (bench_blk_io(r->base, &q, bench_blk_block(pat, blocks, i) *
				 (BLK_BLOCK / BLK_SECTOR), pat->write))
			r->done++;
		else
			r->errors++;
	}
	r->tsc = rdtsc() - t0;
}
