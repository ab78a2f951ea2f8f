/* SPDX-License-Identifier: MIT */
/*
 * A minimal virtio-blk driver for the benchmark guest: finds a virtio-mmio
 * (version 2) block device, sets up one queue of polled requests and reads
 * or writes n 4 KiB blocks one after the other, so the host's per-request
 * cost can be measured (scripts/bench.sh, "device cost" and "disk
 * formats").
 */
#ifndef BENCH_BLK_H
#define BENCH_BLK_H

#include <stdbool.h>
#include <stdint.h>

struct bench_blk_result {
	uint64_t base;		/* virtio-mmio window used; 0: none found */
	uint64_t capacity;	/* sectors */
	unsigned int done;	/* requests completed with status OK */
	unsigned int errors;	/* requests failed or timed out */
	uint64_t tsc;		/* TSC ticks spent in the request loop */
};

struct bench_blk_pattern {
	bool write;		/* VIRTIO_BLK_T_OUT instead of T_IN */
	bool scattered;		/* blocks in a fixed scattered order */
};

/*
 * Reads (or writes) n blocks of 4 KiB: sequential, wrapping at the disk's
 * end, or scattered: block (i * BLK_SCATTER) mod the number of blocks
 * (rounded down to a power of two), each block at most once until the
 * order wraps, so writes into a qcow2 overlay keep meeting clusters not
 * yet allocated.
 */
void bench_blk_run(unsigned int n, const struct bench_blk_pattern *pat,
		   struct bench_blk_result *r);

#endif
