/* SPDX-License-Identifier: MIT */
/*
 * A raw DEFLATE decoder (RFC 1951: stored, fixed and dynamic Huffman
 * blocks, no zlib or gzip wrapper), for qcow2's compressed clusters.
 *
 * Freestanding: only <stdint.h>/<stddef.h>/<stdbool.h>, no allocation,
 * no recursion.  The output buffer is the whole window, so every back
 * reference is checked against what has been written; every input read
 * is checked against in_len.  Hostile input gives an error, never an
 * access outside the two buffers.
 */
#ifndef MINIVMM_INFLATE_H
#define MINIVMM_INFLATE_H

#include <stddef.h>
#include <stdint.h>

enum inflate_result {
	INFLATE_OK = 0,			/* out is full */
	INFLATE_SHORT_INPUT = -1,	/* input ended before out was full */
	INFLATE_BAD_DATA = -2,		/* not a valid deflate stream */
	INFLATE_SHORT_OUTPUT = -3,	/* stream ended before out was full */
};

/*
 * Decode the raw deflate stream in[0..in_len) until out[0..out_len) is
 * full.  Like QEMU's reader of qcow2 clusters, decoding stops when the
 * output is full, whether or not the stream's last block has ended (the
 * compressed length is only known to 512 bytes, so trailing bytes are
 * ignored).  Returns an enum inflate_result.
 */
int inflate_raw(uint8_t *out, size_t out_len, const uint8_t *in,
		size_t in_len);

/* A short English name of a result, for error lines. */
const char *inflate_strerror(int result);

#endif
