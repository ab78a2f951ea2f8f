// SPDX-License-Identifier: MIT
#include "vmm/gdb_packet.h"

#include <string.h>

/* The run-length count is a printable byte: repeat = byte - 29. */
#define GDB_RLE_BIAS 29
#define GDB_ESCAPE 0x7d		/* '}' */
#define GDB_ESCAPE_XOR 0x20
#define GDB_INTERRUPT 0x03

void gdb_packet_parser_init(struct gdb_packet_parser *p)
{
	memset(p, 0, sizeof(*p));
}

static void gdb_body_put(struct gdb_packet_parser *p, uint8_t c)
{
	if (p->len >= GDB_PACKET_MAX) {
		p->overflow = true;
		return;
	}
	p->body[p->len++] = c;
}

/* "c*N": repeat the previous decoded byte N - 29 more times. */
static void gdb_body_repeat(struct gdb_packet_parser *p, uint8_t count)
{
	unsigned int n;

	if (!p->len || count < GDB_RLE_BIAS + 3 || count > 126) {
		p->bad = true;
		return;
	}
	n = count - GDB_RLE_BIAS;
	while (n--)
		gdb_body_put(p, p->body[p->len - 1]);
}

static void gdb_body_byte(struct gdb_packet_parser *p, uint8_t c)
{
	p->sum += c;
	if (p->rle) {
		p->rle = false;
		gdb_body_repeat(p, c);
	} else if (p->escape) {
		p->escape = false;
		gdb_body_put(p, c ^ GDB_ESCAPE_XOR);
	} else if (c == GDB_ESCAPE) {
		p->escape = true;
	} else if (c == '*') {
		p->rle = true;
	} else {
		gdb_body_put(p, c);
	}
}

static void gdb_packet_start(struct gdb_packet_parser *p)
{
	p->state = GDB_P_BODY;
	p->escape = p->rle = p->overflow = p->bad = false;
	p->sum = 0;
	p->len = 0;
}

static enum gdb_input gdb_packet_finish(struct gdb_packet_parser *p, int lo)
{
	int hi = gdb_hex_digit(p->csum_hi);

	p->state = GDB_P_IDLE;
	p->body[p->len] = 0;
	if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != p->sum)
		return GDB_IN_BAD_CHECKSUM;
	if (p->overflow)
		return GDB_IN_TOO_LONG;
	if (p->bad || p->escape || p->rle)
		return GDB_IN_BAD_ENCODING;
	return GDB_IN_PACKET;
}

enum gdb_input gdb_packet_feed(struct gdb_packet_parser *p, uint8_t c)
{
	switch (p->state) {
	case GDB_P_IDLE:
		if (c == '$')
			gdb_packet_start(p);
		else if (c == GDB_INTERRUPT)
			return GDB_IN_INTERRUPT;
		else if (c == '+')
			return GDB_IN_ACK;
		else if (c == '-')
			return GDB_IN_NACK;
		/* anything else between packets is noise */
		return GDB_IN_NONE;
	case GDB_P_BODY:
		if (c == '#')
			p->state = GDB_P_CSUM_HI;
		else if (c == '$')	/* a new start: the client gave up on this one */
			gdb_packet_start(p);
		else
			gdb_body_byte(p, c);
		return GDB_IN_NONE;
	case GDB_P_CSUM_HI:
		p->csum_hi = c;
		p->state = GDB_P_CSUM_LO;
		return GDB_IN_NONE;
	case GDB_P_CSUM_LO:
		return gdb_packet_finish(p, gdb_hex_digit(c));
	}
	p->state = GDB_P_IDLE;
	return GDB_IN_NONE;
}

static bool gdb_needs_escape(uint8_t c)
{
	return c == '$' || c == '#' || c == GDB_ESCAPE || c == '*';
}

/* Longest run to encode at once: count byte printable, not '#' or '$'. */
static size_t gdb_rle_run(const uint8_t *s, size_t len)
{
	size_t run = 1;

	while (run < len && s[run] == s[0] && run < 1 + (126 - GDB_RLE_BIAS))
		run++;
	/* 1 + 6 and 1 + 7 repeats would make '#' and '$' */
	while (run - 1 == '#' - GDB_RLE_BIAS || run - 1 == '$' - GDB_RLE_BIAS)
		run--;
	return run;
}

size_t gdb_packet_encode(uint8_t *out, size_t outmax, const uint8_t *payload,
			 size_t len, bool rle)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	uint8_t sum = 0;

#define PUT(c) do { if (o >= outmax) return 0; out[o++] = (c); } while (0)
#define PUT_BODY(c) do { uint8_t b_ = (c); sum += b_; PUT(b_); } while (0)
	PUT('$');
	for (size_t i = 0; i < len;) {
		uint8_t c = payload[i];
		size_t run = rle && !gdb_needs_escape(c) ? gdb_rle_run(payload + i, len - i) : 1;

		if (gdb_needs_escape(c)) {
			PUT_BODY(GDB_ESCAPE);
			PUT_BODY(c ^ GDB_ESCAPE_XOR);
		} else {
			PUT_BODY(c);
		}
		if (run >= 4) {
			PUT_BODY('*');
			PUT_BODY((uint8_t)(run - 1 + GDB_RLE_BIAS));
			i += run;
		} else {
			i++;
		}
	}
	PUT('#');
	PUT(hex[sum >> 4]);
	PUT(hex[sum & 15]);
#undef PUT_BODY
#undef PUT
	return o;
}

int gdb_hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool gdb_parse_hex(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int d;

	if (gdb_hex_digit((uint8_t)*p) < 0)
		return false;
	while ((d = gdb_hex_digit((uint8_t)*p)) >= 0) {
		if (x >> 60)
			return false;
		x = x << 4 | (uint64_t)d;
		p++;
	}
	*s = p;
	*v = x;
	return true;
}

bool gdb_hex_decode(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = gdb_hex_digit((uint8_t)hex[2 * i]);
		int lo = hi < 0 ? -1 : gdb_hex_digit((uint8_t)hex[2 * i + 1]);

		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void gdb_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
}
