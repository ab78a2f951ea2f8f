// SPDX-License-Identifier: MIT
/*
 * Polled virtio-blk over virtio-mmio v2, just enough for the device-cost
 * benchmark.  One request in flight: header, 4 KiB buffer, status byte.
 * The device is found by bench_virtio_find() (bench_virtio.c).
 */
#include "bench/guest/bench_blk.h"

#include <stdbool.h>
#include <stddef.h>

#include <linux/virtio_blk.h>

#include "bench/guest/bench_virtio.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_string.h"
#include "tests/guest/lib/guest_virtio.h"

#define BLK_SCATTER		40503U	/* odd: a permutation of 2^k blocks */
#define BLK_SECTOR		512
#define BLK_BLOCK		4096
#define CAPACITY		offsetof(struct virtio_blk_config, capacity)

/* Everything one polled request needs (static: the rings are 8 KiB). */
struct bench_blk_ring {
	uint8_t ring_mem[GUEST_VQ_RING_BYTES] __attribute__((aligned(4096)));
	uint8_t data[BLK_BLOCK];
	struct guest_vq vq;
	struct virtio_blk_outhdr hdr;
	volatile uint8_t status;
};

static bool bench_blk_setup(uint64_t base, struct bench_blk_ring *q)
{
	return guest_virtio_negotiate(base, 0, NULL) &&
	       guest_vq_setup(&q->vq, base, 0, q->ring_mem) &&
	       guest_virtio_driver_ok(base);
}

/* One read or write of 4 KiB at sector; true when the device completed it OK. */
static bool bench_blk_io(struct bench_blk_ring *q, uint64_t sector, bool write)
{
	const struct guest_vq_buf bufs[] = {
		{ &q->hdr, sizeof(q->hdr), false },
		{ q->data, BLK_BLOCK, !write },
		{ &q->status, 1, true },
	};

	q->hdr = (struct virtio_blk_outhdr){
		.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
		.sector = sector };
	q->status = 0xff;
	return guest_vq_call(&q->vq, bufs, 3) && q->status == VIRTIO_BLK_S_OK;
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
	static struct bench_blk_ring q;
	uint64_t blocks, t0;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	memset(&q, 0, sizeof(q));
	memset(q.data, 0x5a, sizeof(q.data));	/* what writes write */
	r->base = bench_virtio_find(VIRTIO_ID_BLOCK);
	if (!r->base || !bench_blk_setup(r->base, &q))
		return;
	r->capacity = guest_virtio_config32(r->base, CAPACITY) |
		      (uint64_t)guest_virtio_config32(r->base, CAPACITY + 4) << 32;
	blocks = r->capacity / (BLK_BLOCK / BLK_SECTOR);
	if (!blocks)
		return;
	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		if (bench_blk_io(&q, bench_blk_block(pat, blocks, i) *
				 (BLK_BLOCK / BLK_SECTOR), pat->write))
			r->done++;
		else
			r->errors++;
	}
	r->tsc = rdtsc() - t0;
}
