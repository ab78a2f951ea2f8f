/* SPDX-License-Identifier: MIT */
/*
 * Fetch one file by TFTP into memory, zero-copy: RX payload buffers point
 * at the file's destination (net/tftp.h tells where each block goes).
 */
#ifndef MINIVMM_FW_TFTP_GET_H
#define MINIVMM_FW_TFTP_GET_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/firmware/net.h"

struct fw_file {
	const char *name;
	uint8_t *base;		/* file offset 0 goes here; NULL: ask place() */
	uint64_t cap;		/* bytes available at base */
	/* Called once with the first block when base is NULL: set base/cap. */
	bool (*place)(struct fw_file *f, const uint8_t *first, size_t len);
	void *place_ctx;
	uint64_t size;		/* result: bytes received */
	uint64_t ms;		/* result: transfer time */
	uint64_t copied;	/* result: blocks that needed a copy */
	uint64_t tsc, busy_tsc;	/* result (profiling): TSC cycles of the
				 * transfer, and of them handling frames */
	uint16_t blksize;	/* result: block size in force */
	uint16_t window;	/* result: window size in force */
	bool not_found;		/* result: the server said "File not found" */
};

/* 0, or -1 with a one-line reason in err. */
int tftp_get(struct net *n, uint32_t server, struct fw_file *f,
	     char *err, size_t errlen);

#endif
