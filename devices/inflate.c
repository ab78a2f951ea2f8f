// SPDX-License-Identifier: MIT
/*
 * Raw DEFLATE decoder (RFC 1951), canonical Huffman decoding one bit at a
 * time: small and easy to check rather than fast (compressed qcow2
 * clusters are read once and then usually rewritten uncompressed).
 * See devices/inflate.h.
 */
#include "devices/inflate.h"

#include <stdbool.h>

#define INFLATE_MAX_BITS	15	/* longest Huffman code */
#define INFLATE_MAX_LITLEN	288	/* literal/length symbols */
#define INFLATE_MAX_DIST	30	/* distance symbols */
#define INFLATE_MAX_CODELEN	19	/* code-length symbols */

/* A full output ends decoding early; the bit reader's errors end it too. */
#define INFLATE_DONE		1

struct inflate_state {
	const uint8_t *in;
	size_t in_len, in_pos;
	uint32_t bitbuf;		/* unread bits, LSB first */
	unsigned int bitcnt;
	uint8_t *out;
	size_t out_len, out_pos;
};

/* A canonical Huffman code: codes per length, then symbols by code. */
struct inflate_huffman {
	uint16_t count[INFLATE_MAX_BITS + 1];
	uint16_t symbol[INFLATE_MAX_LITLEN];
};

/* Length symbols 257..285 and distance symbols 0..29 (RFC 1951 3.2.5). */
static const uint16_t inflate_len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t inflate_len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t inflate_dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
	8193, 12289, 16385, 24577 };
static const uint8_t inflate_dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
/* The order code-length code lengths are sent in (3.2.7). */
static const uint8_t inflate_codelen_order[INFLATE_MAX_CODELEN] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

/* The next n (<= 16) bits, or -1 when the input is exhausted. */
static int32_t inflate_bits(struct inflate_state *s, unsigned int n)
{
	uint32_t v;

	while (s->bitcnt < n) {
		if (s->in_pos >= s->in_len)
			return -1;
		s->bitbuf |= (uint32_t)s->in[s->in_pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
	v = s->bitbuf & ((1u << n) - 1);
	s->bitbuf >>= n;
	s->bitcnt -= n;
	return (int32_t)v;
}

/*
 * Build a code from per-symbol lengths.  Over-subscribed sets are
 * invalid; incomplete ones are accepted (a code that is never used may
 * be missing) and decoding one of the absent codes fails.
 */
static bool inflate_build(struct inflate_huffman *h, const uint8_t *lengths,
			  unsigned int n)
{
	uint16_t offs[INFLATE_MAX_BITS + 1];
	int left = 1;

	for (unsigned int len = 0; len <= INFLATE_MAX_BITS; len++)
		h->count[len] = 0;
	for (unsigned int sym = 0; sym < n; sym++)
		h->count[lengths[sym]]++;
	for (unsigned int len = 1; len <= INFLATE_MAX_BITS; len++) {
		left <<= 1;
		left -= h->count[len];
		if (left < 0)
			return false;
	}
	offs[1] = 0;
	for (unsigned int len = 1; len < INFLATE_MAX_BITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (unsigned int sym = 0; sym < n; sym++)
		if (lengths[sym])
			h->symbol[offs[lengths[sym]]++] = (uint16_t)sym;
	return true;
}

/* Decode one symbol: -1 input exhausted, -2 a code absent from h. */
static int inflate_decode(struct inflate_state *s,
			  const struct inflate_huffman *h)
{
	int code = 0, first = 0, index = 0;

	for (unsigned int len = 1; len <= INFLATE_MAX_BITS; len++) {
		int32_t bit = inflate_bits(s, 1);
		int count = h->count[len];

		if (bit < 0)
			return -1;
		code |= bit;
		if (code - count < first)
			return h->symbol[index + (code - first)];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -2;
}

static int inflate_symbol_error(int sym)
{
	return sym == -1 ? INFLATE_SHORT_INPUT : INFLATE_BAD_DATA;
}

/* A stored block: LEN, ~LEN, then LEN bytes, byte-aligned. */
static int inflate_stored(struct inflate_state *s)
{
	uint32_t len, nlen;

	s->bitbuf = 0;		/* drop the bits up to the byte boundary */
	s->bitcnt = 0;
	if (s->in_len - s->in_pos < 4)
		return INFLATE_SHORT_INPUT;
	len = s->in[s->in_pos] | (uint32_t)s->in[s->in_pos + 1] << 8;
	nlen = s->in[s->in_pos + 2] | (uint32_t)s->in[s->in_pos + 3] << 8;
	s->in_pos += 4;
	if (len != (~nlen & 0xffff))
		return INFLATE_BAD_DATA;
	while (len--) {
		if (s->out_pos == s->out_len)
			return INFLATE_DONE;
		if (s->in_pos == s->in_len)
			return INFLATE_SHORT_INPUT;
		s->out[s->out_pos++] = s->in[s->in_pos++];
	}
	return INFLATE_OK;
}

/* Copy a back reference of len bytes from dist bytes back. */
static int inflate_copy(struct inflate_state *s, unsigned int len,
			unsigned int dist)
{
	if (dist > s->out_pos)
		return INFLATE_BAD_DATA;	/* before the start */
	while (len--) {
		if (s->out_pos == s->out_len)
			return INFLATE_DONE;
		s->out[s->out_pos] = s->out[s->out_pos - dist];
		s->out_pos++;
	}
	return INFLATE_OK;
}

/* The symbols of one Huffman-coded block, up to end-of-block (256). */
static int inflate_codes(struct inflate_state *s,
			 const struct inflate_huffman *lit,
			 const struct inflate_huffman *dist)
{
	for (;;) {
		int sym = inflate_decode(s, lit);
		int32_t extra;
		unsigned int len;
		int ret;

		if (sym < 0)
			return inflate_symbol_error(sym);
		if (sym < 256) {
			if (s->out_pos == s->out_len)
				return INFLATE_DONE;
			s->out[s->out_pos++] = (uint8_t)sym;
			continue;
		}
		if (sym == 256)
			return INFLATE_OK;
		sym -= 257;
		if (sym >= 29)
			return INFLATE_BAD_DATA;
		extra = inflate_bits(s, inflate_len_extra[sym]);
		if (extra < 0)
			return INFLATE_SHORT_INPUT;
		len = inflate_len_base[sym] + (unsigned int)extra;
		sym = inflate_decode(s, dist);
		if (sym < 0)
			return inflate_symbol_error(sym);
		if (sym >= 30)
			return INFLATE_BAD_DATA;
		extra = inflate_bits(s, inflate_dist_extra[sym]);
		if (extra < 0)
			return INFLATE_SHORT_INPUT;
		ret = inflate_copy(s, len,
				   inflate_dist_base[sym] + (unsigned int)extra);
		if (ret != INFLATE_OK)
			return ret;
	}
}

static int inflate_fixed(struct inflate_state *s)
{
	struct inflate_huffman lit, dist;
	uint8_t lengths[INFLATE_MAX_LITLEN];
	unsigned int sym;

	for (sym = 0; sym < 144; sym++)
		lengths[sym] = 8;
	for (; sym < 256; sym++)
		lengths[sym] = 9;
	for (; sym < 280; sym++)
		lengths[sym] = 7;
	for (; sym < INFLATE_MAX_LITLEN; sym++)
		lengths[sym] = 8;
	inflate_build(&lit, lengths, INFLATE_MAX_LITLEN);
	for (sym = 0; sym < INFLATE_MAX_DIST; sym++)
		lengths[sym] = 5;
	inflate_build(&dist, lengths, INFLATE_MAX_DIST);
	return inflate_codes(s, &lit, &dist);
}

/* The code lengths of a dynamic block, themselves Huffman coded. */
static int inflate_dynamic_lengths(struct inflate_state *s, uint8_t *lengths,
				   unsigned int total)
{
	struct inflate_huffman clh;
	uint8_t cl[INFLATE_MAX_CODELEN] = { 0 };
	int32_t nclen = inflate_bits(s, 4);
	unsigned int i = 0;

	if (nclen < 0)
		return INFLATE_SHORT_INPUT;
	for (int32_t k = 0; k < nclen + 4; k++) {
		int32_t v = inflate_bits(s, 3);

		if (v < 0)
			return INFLATE_SHORT_INPUT;
		cl[inflate_codelen_order[k]] = (uint8_t)v;
	}
	if (!inflate_build(&clh, cl, INFLATE_MAX_CODELEN))
		return INFLATE_BAD_DATA;
	while (i < total) {
		int sym = inflate_decode(s, &clh);
		uint8_t value = 0;
		int32_t repeat;

		if (sym < 0)
			return inflate_symbol_error(sym);
		if (sym < 16) {
			lengths[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0)
				return INFLATE_BAD_DATA;	/* nothing to repeat */
			value = lengths[i - 1];
			repeat = inflate_bits(s, 2);
			repeat = repeat < 0 ? -1 : repeat + 3;
		} else if (sym == 17) {
			repeat = inflate_bits(s, 3);
			repeat = repeat < 0 ? -1 : repeat + 3;
		} else {
			repeat = inflate_bits(s, 7);
			repeat = repeat < 0 ? -1 : repeat + 11;
		}
		if (repeat < 0)
			return INFLATE_SHORT_INPUT;
		if (i + (unsigned int)repeat > total)
			return INFLATE_BAD_DATA;
		while (repeat--)
			lengths[i++] = value;
	}
	return INFLATE_OK;
}

static int inflate_dynamic(struct inflate_state *s)
{
	struct inflate_huffman lit, dist;
	uint8_t lengths[INFLATE_MAX_LITLEN + INFLATE_MAX_DIST];
	int32_t nlit = inflate_bits(s, 5), ndist = inflate_bits(s, 5);
	int ret;

	if (nlit < 0 || ndist < 0)
		return INFLATE_SHORT_INPUT;
	nlit += 257;
	ndist += 1;
	if (nlit > 286 || ndist > INFLATE_MAX_DIST)
		return INFLATE_BAD_DATA;
	ret = inflate_dynamic_lengths(s, lengths, (unsigned int)(nlit + ndist));
	if (ret != INFLATE_OK)
		return ret;
	if (lengths[256] == 0)
		return INFLATE_BAD_DATA;	/* no end-of-block code */
	if (!inflate_build(&lit, lengths, (unsigned int)nlit) ||
	    !inflate_build(&dist, lengths + nlit, (unsigned int)ndist))
		return INFLATE_BAD_DATA;
	return inflate_codes(s, &lit, &dist);
}

int inflate_raw(uint8_t *out, size_t out_len, const uint8_t *in,
		size_t in_len)
{
	struct inflate_state s = {
		.in = in, .in_len = in_len, .out = out, .out_len = out_len,
	};
	int32_t last = 0;

	while (!last) {
		int32_t type;
		int ret;

		if (s.out_pos == s.out_len)
			return INFLATE_OK;
		last = inflate_bits(&s, 1);
		type = inflate_bits(&s, 2);
		if (last < 0 || type < 0)
			return INFLATE_SHORT_INPUT;
		if (type == 0)
			ret = inflate_stored(&s);
		else if (type == 1)
			ret = inflate_fixed(&s);
		else if (type == 2)
			ret = inflate_dynamic(&s);
		else
			ret = INFLATE_BAD_DATA;
		if (ret == INFLATE_DONE)
			return INFLATE_OK;
		if (ret != INFLATE_OK)
			return ret;
	}
	return s.out_pos == s.out_len ? INFLATE_OK : INFLATE_SHORT_OUTPUT;
}

const char *inflate_strerror(int result)
{
	switch (result) {
	case INFLATE_OK:
		return "ok";
	case INFLATE_SHORT_INPUT:
		return "compressed data ends early";
	case INFLATE_BAD_DATA:
		return "invalid deflate data";
	case INFLATE_SHORT_OUTPUT:
		return "deflate stream shorter than a cluster";
	}
	return "unknown inflate error";
}
