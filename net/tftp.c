// SPDX-License-Identifier: MIT
/*
 * TFTP read client.  Packets are hostile: every option string must be
 * NUL-terminated inside the packet, numbers are bounded, block numbers are
 * compared modulo 2^16 relative to the next expected block.
 */
#include "net/tftp.h"
#include "net/inet.h"

static const char *const tftp_error_names[] = {
	"Not defined", "File not found", "Access violation",
	"Disk full or allocation exceeded", "Illegal TFTP operation",
	"Unknown transfer ID", "File already exists", "No such user",
	"Option negotiation failed",
};

const char *tftp_error_name(unsigned int code)
{
	if (code < sizeof(tftp_error_names) / sizeof(tftp_error_names[0]))
		return tftp_error_names[code];
	return "Unknown error";
}

static size_t tftp_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static char tftp_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

static bool tftp_streq_ci(const char *a, const char *b)
{
	while (*a && tftp_lower(*a) == tftp_lower(*b)) {
		a++;
		b++;
	}
	return tftp_lower(*a) == tftp_lower(*b);
}

/* Appends s and its NUL; false when it does not fit. */
static bool tftp_put_str(struct tftp_client *c, const char *s)
{
	size_t n = tftp_strlen(s);

	if (c->tx_len + n + 1 > sizeof(c->tx))
		return false;
	for (size_t i = 0; i <= n; i++)
		c->tx[c->tx_len++] = (uint8_t)s[i];
	return true;
}

static bool tftp_put_num(struct tftp_client *c, uint64_t v)
{
	char buf[24];
	int i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	return tftp_put_str(c, buf + i);
}

/* Decimal, digits only, no overflow past max. */
static bool tftp_parse_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static void tftp_build_ack(struct tftp_client *c)
{
	inet_put16(c->tx, TFTP_ACK);
	inet_put16(c->tx + 2, (uint16_t)c->blocks);
	c->tx_len = 4;
	c->acked = c->blocks;
}

/* Fail with an ERROR packet for the server in c->tx. */
static enum tftp_action tftp_fail(struct tftp_client *c, uint16_t code,
				  const char *msg)
{
	size_t i;

	c->state = TFTP_S_FAILED;
	c->error_code = code;
	c->error_from_server = false;
	for (i = 0; msg[i] && i < TFTP_ERRMSG_MAX - 1; i++)
		c->error_msg[i] = msg[i];
	c->error_msg[i] = 0;
	c->tx_len = 0;
	inet_put16(c->tx, TFTP_ERROR);
	inet_put16(c->tx + 2, code);
	c->tx_len = 4;
	if (!tftp_put_str(c, c->error_msg))
		c->tx_len = 0;
	return TFTP_A_FAILED;
}

enum tftp_action tftp_start(struct tftp_client *c,
			    const struct tftp_request *req)
{
	uint8_t *p = (uint8_t *)c;

	for (size_t i = 0; i < sizeof(*c); i++)
		p[i] = 0;
	c->blksize = TFTP_BLKSIZE_DEFAULT;
	c->windowsize = 1;
	c->max_size = req->max_size;
	c->max_retries = TFTP_MAX_RETRIES_DEFAULT;
	c->timeout_ms = 1000;
	c->want_blksize = req->blksize;
	if (c->want_blksize > TFTP_BLKSIZE_MAX)
		c->want_blksize = TFTP_BLKSIZE_MAX;
	if (c->want_blksize && c->want_blksize < 8)
		c->want_blksize = 8;
	c->want_windowsize = req->windowsize > 1 ? req->windowsize : 0;
	c->want_tsize = req->tsize;

	if (!req->filename[0] || tftp_strlen(req->filename) > TFTP_NAME_MAX)
		return tftp_fail(c, TFTP_ERR_NOT_FOUND, "bad file name");
	inet_put16(c->tx, TFTP_RRQ);
	c->tx_len = 2;
	if (!tftp_put_str(c, req->filename) || !tftp_put_str(c, "octet"))
		return tftp_fail(c, TFTP_ERR_NOT_FOUND, "bad file name");
	if (c->want_blksize && (!tftp_put_str(c, "blksize") ||
				!tftp_put_num(c, c->want_blksize)))
		return tftp_fail(c, TFTP_ERR_UNDEFINED, "request too long");
	if (c->want_tsize && (!tftp_put_str(c, "tsize") ||
			      !tftp_put_str(c, "0")))
		return tftp_fail(c, TFTP_ERR_UNDEFINED, "request too long");
	if (c->want_windowsize && (!tftp_put_str(c, "windowsize") ||
				   !tftp_put_num(c, c->want_windowsize)))
		return tftp_fail(c, TFTP_ERR_UNDEFINED, "request too long");
	c->state = TFTP_S_RRQ_SENT;
	return TFTP_A_SEND;
}

uint64_t tftp_next_offset(const struct tftp_client *c, unsigned int k)
{
	return (c->blocks + k) * c->blksize;
}

uint16_t tftp_next_block(const struct tftp_client *c, unsigned int k)
{
	return (uint16_t)(c->blocks + 1 + k);
}

size_t tftp_rx_payload_max(const struct tftp_client *c)
{
	if (c->state == TFTP_S_RRQ_SENT && c->want_blksize > c->blksize)
		return c->want_blksize;
	return c->blksize;
}

/* OACK: every option must be one we asked for, with a value we accept. */
static enum tftp_action tftp_oack(struct tftp_client *c, const uint8_t *pkt,
				  size_t len)
{
	size_t i = 2;

	while (i < len) {
		const char *name = (const char *)pkt + i, *val;
		size_t j = i;
		uint64_t v;

		while (j < len && pkt[j])
			j++;
		if (j + 1 >= len)
			return tftp_fail(c, TFTP_ERR_OPTIONS, "truncated OACK");
		val = (const char *)pkt + j + 1;
		for (j = j + 1; j < len && pkt[j]; j++)
			;
		if (j >= len)
			return tftp_fail(c, TFTP_ERR_OPTIONS, "truncated OACK");
		i = j + 1;
		if (tftp_streq_ci(name, "blksize") && c->want_blksize &&
		    tftp_parse_num(val, c->want_blksize, &v) && v >= 8) {
			c->blksize = (uint16_t)v;
		} else if (tftp_streq_ci(name, "windowsize") &&
			   c->want_windowsize &&
			   tftp_parse_num(val, c->want_windowsize, &v) &&
			   v >= 1) {
			c->windowsize = (uint16_t)v;
		} else if (tftp_streq_ci(name, "tsize") && c->want_tsize &&
			   tftp_parse_num(val, UINT64_MAX, &v)) {
			c->tsize = v;
			c->have_tsize = true;
		} else {
			return tftp_fail(c, TFTP_ERR_OPTIONS,
					 "unexpected OACK option");
		}
	}
	if (c->have_tsize && c->tsize > c->max_size)
		return tftp_fail(c, TFTP_ERR_DISK_FULL, "file too big");
	c->state = TFTP_S_TRANSFER;
	c->retries = 0;
	tftp_build_ack(c);		/* ACK 0 starts the data */
	return TFTP_A_SEND;
}

static enum tftp_action tftp_error_packet(struct tftp_client *c,
					  const uint8_t *pkt, size_t len)
{
	size_t i, n = 0;

	c->state = TFTP_S_FAILED;
	c->error_code = len >= 4 ? inet_get16(pkt + 2) : TFTP_ERR_UNDEFINED;
	c->error_from_server = true;
	for (i = 4; i < len && pkt[i] && n < TFTP_ERRMSG_MAX - 1; i++) {
		uint8_t ch = pkt[i];

		c->error_msg[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	c->error_msg[n] = 0;
	c->tx_len = 0;			/* never answer an ERROR */
	return TFTP_A_FAILED;
}

static enum tftp_action tftp_data(struct tftp_client *c, const uint8_t *pkt,
				  size_t len, struct tftp_block *blk)
{
	uint16_t delta = (uint16_t)(inet_get16(pkt + 2) - tftp_next_block(c, 0));
	size_t plen = len - TFTP_HLEN;
	uint64_t off;

	if (plen > c->blksize)
		return TFTP_A_NONE;	/* oversized: not a block we asked for */
	if (delta != 0) {
		bool *once = delta < 0x8000 ? &c->gap_acked : &c->dup_acked;

		/* Ahead: a block went missing; behind: a duplicate (our ACK
		 * was lost).  Either way ACK what we have, once. */
		if (*once)
			return TFTP_A_NONE;
		*once = true;
		tftp_build_ack(c);
		return TFTP_A_SEND;
	}
	off = c->size;
	if (plen > c->max_size - off)
		return tftp_fail(c, TFTP_ERR_DISK_FULL, "file too big");
	blk->stored = true;
	blk->offset = off;
	blk->len = plen;
	c->blocks++;
	c->size += plen;
	c->retries = 0;
	c->timeout_ms = 1000;
	c->gap_acked = false;
	c->dup_acked = false;
	if (plen < c->blksize) {
		c->state = TFTP_S_DONE;
		tftp_build_ack(c);
		return TFTP_A_DONE;
	}
	if (c->blocks - c->acked >= c->windowsize) {
		tftp_build_ack(c);
		return TFTP_A_SEND;
	}
	return TFTP_A_NONE;
}

enum tftp_action tftp_receive(struct tftp_client *c, uint16_t src_port,
			      const uint8_t *pkt, size_t avail, size_t len,
			      struct tftp_block *blk)
{
	uint16_t op;

	blk->stored = false;
	if (avail > len)
		avail = len;
	if (avail < 2)
		return TFTP_A_NONE;
	if (c->state != TFTP_S_RRQ_SENT && c->state != TFTP_S_TRANSFER)
		return TFTP_A_NONE;
	if (c->state == TFTP_S_TRANSFER && src_port != c->server_port)
		return TFTP_A_NONE;	/* another TID: not our transfer */
	op = inet_get16(pkt);
	/* An OACK may be the bare opcode: atftpd with every option off
	 * answers so, meaning "no options" (RFC 2347 defaults). */
	if (avail < TFTP_HLEN && op != TFTP_OACK)
		return TFTP_A_NONE;
	switch (op) {
	case TFTP_ERROR:
		/* Messages are small: the whole packet must be readable. */
		return tftp_error_packet(c, pkt, avail);
	case TFTP_OACK:
		if (avail != len)
			return TFTP_A_NONE;
		if (c->state == TFTP_S_TRANSFER) {
			/* Our ACK 0 got lost: repeat it, nothing else. */
			if (c->blocks)
				return TFTP_A_NONE;
			tftp_build_ack(c);
			return TFTP_A_SEND;
		}
		if (!c->want_blksize && !c->want_tsize && !c->want_windowsize)
			return tftp_fail(c, TFTP_ERR_OPTIONS, "unasked OACK");
		c->server_port = src_port;
		return tftp_oack(c, pkt, len);
	case TFTP_DATA:
		if (c->state == TFTP_S_RRQ_SENT) {
			/* The server ignored our options (RFC 2347). */
			c->server_port = src_port;
			c->state = TFTP_S_TRANSFER;
			c->blksize = TFTP_BLKSIZE_DEFAULT;
			c->windowsize = 1;
		}
		return tftp_data(c, pkt, len, blk);
	default:
		return TFTP_A_NONE;
	}
}

enum tftp_action tftp_timeout(struct tftp_client *c)
{
	if (c->state != TFTP_S_RRQ_SENT && c->state != TFTP_S_TRANSFER)
		return TFTP_A_NONE;
	if (++c->retries > c->max_retries)
		return tftp_fail(c, TFTP_ERR_UNDEFINED, "timeout");
	if (c->timeout_ms < 4000)
		c->timeout_ms *= 2;
	if (c->state == TFTP_S_TRANSFER)
		tftp_build_ack(c);	/* RFC 7440: ACK the last in-order block */
	c->gap_acked = false;
	c->dup_acked = false;
	return TFTP_A_SEND;
}
