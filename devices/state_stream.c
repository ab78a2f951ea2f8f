// SPDX-License-Identifier: MIT
#include "devices/state_stream.h"

#include <stdlib.h>
#include <string.h>

void state_writer_init(struct state_writer *w)
{
	*w = (struct state_writer){ .buf = NULL };
}

void state_writer_free(struct state_writer *w)
{
	free(w->buf);
	state_writer_init(w);
}

static bool state_writer_reserve(struct state_writer *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 256;
	uint8_t *p;

	if (w->bad || n > STATE_STREAM_MAX - w->len) {
		w->bad = true;
		return false;
	}
	while (cap < w->len + n)
		cap *= 2;
	if (cap == w->cap)
		return true;
	p = realloc(w->buf, cap);
	if (!p) {
		w->bad = true;
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

void state_put_bytes(struct state_writer *w, const void *p, size_t n)
{
	if (!state_writer_reserve(w, n))
		return;
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

/* Little-endian on the wire; minivmm runs on x86-64 only, so this is a copy. */
void state_put_u8(struct state_writer *w, uint8_t v)
{
	state_put_bytes(w, &v, 1);
}

void state_put_u16(struct state_writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	state_put_bytes(w, b, 2);
}

void state_put_u32(struct state_writer *w, uint32_t v)
{
	state_put_u16(w, (uint16_t)v);
	state_put_u16(w, (uint16_t)(v >> 16));
}

void state_put_u64(struct state_writer *w, uint64_t v)
{
	state_put_u32(w, (uint32_t)v);
	state_put_u32(w, (uint32_t)(v >> 32));
}

void state_put_blob(struct state_writer *w, const void *p, uint32_t n)
{
	state_put_u32(w, n);
	state_put_bytes(w, p, n);
}

void state_reader_init(struct state_reader *r, const void *buf, size_t len)
{
	*r = (struct state_reader){ .buf = buf, .len = len };
}

/* The next n bytes, or NULL (and the stream bad) when they are not there. */
static const uint8_t *state_take(struct state_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	p = r->buf + r->off;
	r->off += n;
	return p;
}

void state_get_bytes(struct state_reader *r, void *p, size_t n)
{
	const uint8_t *src = state_take(r, n);

	if (src)
		memcpy(p, src, n);
	else if (n)
		memset(p, 0, n);
}

uint8_t state_get_u8(struct state_reader *r)
{
	const uint8_t *p = state_take(r, 1);

	return p ? p[0] : 0;
}

uint16_t state_get_u16(struct state_reader *r)
{
	const uint8_t *p = state_take(r, 2);

	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t state_get_u32(struct state_reader *r)
{
	uint32_t lo = state_get_u16(r);

	return lo | (uint32_t)state_get_u16(r) << 16;
}

uint64_t state_get_u64(struct state_reader *r)
{
	uint64_t lo = state_get_u32(r);

	return lo | (uint64_t)state_get_u32(r) << 32;
}

void state_get_blob(struct state_reader *r, void *p, uint32_t n)
{
	if (state_get_u32(r) != n)
		state_reader_fail(r);
	state_get_bytes(r, p, n);
}

const void *state_get_blob_ref(struct state_reader *r, uint32_t max,
			       uint32_t *len)
{
	uint32_t n = state_get_u32(r);

	if (n > max)
		state_reader_fail(r);
	*len = r->bad ? 0 : n;
	return state_take(r, *len);
}

void state_reader_fail(struct state_reader *r)
{
	r->bad = true;
}

bool state_reader_done(const struct state_reader *r)
{
	return !r->bad && r->off == r->len;
}
