/* SPDX-License-Identifier: MIT */
/*
 * GDB remote serial protocol framing: "$body#cs" packets, '+'/'-' acks,
 * the 0x03 interrupt byte, '}' escapes and '*' run-length encoding.  A
 * pure byte-at-a-time parser (bounded: a body longer than the buffer is
 * reported, never stored) and an encoder.  No I/O, no KVM: unit-tested
 * and fuzzed as is.
 */
#ifndef MINIVMM_GDB_PACKET_H
#define MINIVMM_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest decoded packet body (announced as PacketSize in qSupported). */
#define GDB_PACKET_MAX 4096

enum gdb_input {
	GDB_IN_NONE,		/* byte taken, nothing complete yet */
	GDB_IN_PACKET,		/* a packet with a good checksum: parser.body */
	GDB_IN_BAD_CHECKSUM,	/* answer '-' (the client resends) */
	GDB_IN_TOO_LONG,	/* body overflowed: answer '-' or an error */
	GDB_IN_BAD_ENCODING,	/* a run-length or escape sequence is invalid */
	GDB_IN_INTERRUPT,	/* 0x03 outside a packet: Ctrl-C */
	GDB_IN_ACK,		/* '+' */
	GDB_IN_NACK,		/* '-': resend the last reply */
};

struct gdb_packet_parser {
	enum { GDB_P_IDLE, GDB_P_BODY, GDB_P_CSUM_HI, GDB_P_CSUM_LO } state;
	bool escape;		/* the previous body byte was '}' */
	bool rle;		/* the previous body byte was '*' */
	bool overflow;
	bool bad;
	uint8_t sum;		/* modulo-256 sum of the raw body bytes */
	uint8_t csum_hi;
	size_t len;		/* decoded bytes in body */
	uint8_t body[GDB_PACKET_MAX + 1];	/* NUL-terminated for convenience */
};

void gdb_packet_parser_init(struct gdb_packet_parser *p);
enum gdb_input gdb_packet_feed(struct gdb_packet_parser *p, uint8_t byte);

/*
 * Frame payload as "$...#cs" into out (escaping '$', '#', '}', '*'; with
 * rle, runs of 4+ equal bytes become "c*N").  Returns the framed length,
 * or 0 when out (of size outmax) is too small.
 */
size_t gdb_packet_encode(uint8_t *out, size_t outmax, const uint8_t *payload,
			 size_t len, bool rle);

/* ---- hex helpers for packet bodies ---- */
int gdb_hex_digit(uint8_t c);	/* -1 if not a hex digit */
/*
 * Parse a hex number at *s (advancing it) into *v; false when there is no
 * digit or it overflows 64 bits.
 */
bool gdb_parse_hex(const char **s, uint64_t *v);
/* n bytes from 2n hex digits; false on a bad digit. */
bool gdb_hex_decode(const char *hex, uint8_t *out, size_t n);
/* 2n hex digits (no NUL) from n bytes. */
void gdb_hex_encode(const uint8_t *in, size_t n, char *out);

#endif
