/* SPDX-License-Identifier: MIT */
/*
 * TFTP read client (RFC 1350) with options (RFC 2347), blksize (2348),
 * tsize (2349) and windowsize (7440).  A state machine over byte buffers:
 * the caller moves packets and time, the client decides.
 *
 * Zero-copy receive: tftp_next_offset(c, k) tells where in the file the
 * k-th next expected DATA block belongs, so the driver can point its RX
 * payload buffer at destination + that offset.  tftp_receive() then says
 * which block (file offset, length) a packet completed; the driver copies
 * only when the payload did not already land there.
 * Block numbers wrap 65535 -> 0 (as tftp-hpa, dnsmasq and atftpd do).
 */
#ifndef MINIVMM_NET_TFTP_H
#define MINIVMM_NET_TFTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFTP_PORT		69
#define TFTP_HLEN		4	/* opcode + block number */
#define TFTP_BLKSIZE_DEFAULT	512
#define TFTP_BLKSIZE_MAX	1468	/* 1500 - IPv4 - UDP - TFTP header */
#define TFTP_NAME_MAX		255
#define TFTP_TX_MAX		512	/* RRQ with options, ACK, ERROR */
#define TFTP_ERRMSG_MAX		128
#define TFTP_MAX_RETRIES_DEFAULT 6

enum tftp_opcode {
	TFTP_RRQ = 1, TFTP_WRQ, TFTP_DATA, TFTP_ACK, TFTP_ERROR, TFTP_OACK,
};

enum tftp_error {
	TFTP_ERR_UNDEFINED = 0, TFTP_ERR_NOT_FOUND, TFTP_ERR_ACCESS,
	TFTP_ERR_DISK_FULL, TFTP_ERR_ILLEGAL_OP, TFTP_ERR_UNKNOWN_TID,
	TFTP_ERR_EXISTS, TFTP_ERR_NO_USER, TFTP_ERR_OPTIONS,
};

/* The RFC's name for an error code ("File not found", ...). */
const char *tftp_error_name(unsigned int code);

enum tftp_state {
	TFTP_S_IDLE = 0,
	TFTP_S_RRQ_SENT,		/* waiting for OACK, DATA 1 or ERROR */
	TFTP_S_TRANSFER,
	TFTP_S_DONE,
	TFTP_S_FAILED,
};

struct tftp_request {
	const char *filename;
	uint64_t max_size;		/* destination room: bigger files fail */
	uint16_t blksize;		/* 0: do not ask (512) */
	uint16_t windowsize;		/* 0 or 1: do not ask */
	bool tsize;			/* ask for the file size */
};

struct tftp_client {
	enum tftp_state state;
	uint16_t server_port;		/* the server's TID, 0 until known */
	uint16_t blksize;		/* in force (512 until an OACK) */
	uint16_t windowsize;		/* in force (1 until an OACK) */
	uint16_t want_blksize, want_windowsize;
	bool want_tsize;
	bool have_tsize;
	bool gap_acked;			/* ACKed the current gap already */
	bool dup_acked;			/* ACKed a duplicate already */
	uint64_t tsize;
	uint64_t max_size;
	uint64_t blocks;		/* in-order blocks received */
	uint64_t size;			/* bytes received in order */
	uint64_t acked;			/* blocks covered by our last ACK */
	unsigned int retries, max_retries;
	uint32_t timeout_ms;		/* wait this long, then tftp_timeout() */
	uint16_t error_code;		/* TFTP_S_FAILED: why */
	bool error_from_server;
	char error_msg[TFTP_ERRMSG_MAX];
	uint8_t tx[TFTP_TX_MAX];	/* the packet to (re)send */
	size_t tx_len;
};

enum tftp_action {
	TFTP_A_NONE = 0,		/* keep waiting */
	TFTP_A_SEND,			/* send c->tx (c->tx_len) to the server */
	TFTP_A_DONE,			/* send c->tx (final ACK); file complete */
	TFTP_A_FAILED,			/* send c->tx if tx_len != 0; see error */
};

/* A DATA block accepted in order: bytes [offset, offset + len) of the
 * file.  stored is false for every other packet. */
struct tftp_block {
	bool stored;
	uint64_t offset;
	size_t len;
};

/* Build the RRQ; TFTP_A_SEND, or TFTP_A_FAILED (name too long). */
enum tftp_action tftp_start(struct tftp_client *c,
			    const struct tftp_request *req);

/*
 * A UDP payload from the server's address arrived from src_port: len
 * bytes in total, the first avail of them readable at pkt (avail >= 4 for
 * DATA; the rest of a DATA payload may sit in a separate buffer).
 */
enum tftp_action tftp_receive(struct tftp_client *c, uint16_t src_port,
			      const uint8_t *pkt, size_t avail, size_t len,
			      struct tftp_block *blk);

/* c->timeout_ms passed with no progress: retransmit or give up. */
enum tftp_action tftp_timeout(struct tftp_client *c);

/* File offset where the k-th next expected block (k = 0: the next one)
 * belongs, and its wire block number. */
uint64_t tftp_next_offset(const struct tftp_client *c, unsigned int k);
uint16_t tftp_next_block(const struct tftp_client *c, unsigned int k);
/* Largest DATA payload that can come now (blksize asked or in force). */
size_t tftp_rx_payload_max(const struct tftp_client *c);

#endif
