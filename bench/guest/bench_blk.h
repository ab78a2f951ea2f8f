/* SPDX-License-Identifier: MIT */
/*
 * A minimal virtio-blk driver for the benchmark guest: finds a virtio-mmio
 * (version 2) block device, sets up one queue of polled requests and reads
 * n 4 KiB blocks one after the other, so the host's per-request cost can be
 * measured (scripts/bench.sh, "device cost").
 */
#ifndef BENCH_BLK_H
#define BENCH_BLK_H

#include <stdint.h>

struct bench_blk_result {
	uint64_t base;		/* virtio-mmio window used; 0: none found */
	uint64_t capacity;	/* sectors */
	unsigned int done;	/* requests completed with status OK */
	unsigned int errors;	/* requests failed or timed out */
	uint64_t tsc;		/* TSC ticks spent in the request loop */
};

/* Reads n blocks of 4 KiB (sequential, wrapping at the disk's end). */
void bench_blk_run(unsigned int n, struct bench_blk_result *r);

#endif
