/* SPDX-License-Identifier: MIT */
/*
 * The stream a device saves its state into and loads it back from
 * (snapshots, docs/snapshots.md).  A device knows nothing of the snapshot
 * file: it writes fixed-width little-endian fields into a state_writer and
 * reads them from a state_reader, which the VM core fills from one
 * section of the file.
 *
 * The reader is bounded: a read past the end, or a field the device
 * rejects (state_reader_fail), marks the stream bad; every later read
 * returns zeros, and the loader checks state_reader_ok() once at the end.
 * The writer grows its buffer; out of memory marks it bad the same way.
 */
#ifndef MINIVMM_STATE_STREAM_H
#define MINIVMM_STATE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest state one section may hold (a sanity bound, 64 MiB). */
#define STATE_STREAM_MAX (64u << 20)

struct state_writer {
	uint8_t *buf;
	size_t len, cap;
	bool bad;
};

struct state_reader {
	const uint8_t *buf;
	size_t len, off;
	bool bad;
};

void state_writer_init(struct state_writer *w);
void state_writer_free(struct state_writer *w);
void state_put_u8(struct state_writer *w, uint8_t v);
void state_put_u16(struct state_writer *w, uint16_t v);
void state_put_u32(struct state_writer *w, uint32_t v);
void state_put_u64(struct state_writer *w, uint64_t v);
void state_put_bytes(struct state_writer *w, const void *p, size_t n);
/* A length-prefixed blob (u32 length, then the bytes). */
void state_put_blob(struct state_writer *w, const void *p, uint32_t n);

void state_reader_init(struct state_reader *r, const void *buf, size_t len);
uint8_t state_get_u8(struct state_reader *r);
uint16_t state_get_u16(struct state_reader *r);
uint32_t state_get_u32(struct state_reader *r);
uint64_t state_get_u64(struct state_reader *r);
/* Exactly n bytes into p (zeros when the stream is bad). */
void state_get_bytes(struct state_reader *r, void *p, size_t n);
/* A blob written by state_put_blob whose length must be exactly n. */
void state_get_blob(struct state_reader *r, void *p, uint32_t n);
/*
 * A blob of any length up to max: a pointer into the stream (valid while
 * the buffer is) and its length, or NULL when bad.
 */
const void *state_get_blob_ref(struct state_reader *r, uint32_t max,
			       uint32_t *len);
/* A value the device cannot accept: the whole load fails. */
void state_reader_fail(struct state_reader *r);
/* Every read was in bounds and accepted, and nothing is left over. */
bool state_reader_done(const struct state_reader *r);

#endif
