// SPDX-License-Identifier: MIT
/*
 * One TFTP transfer, driven by the net/tftp.c state machine.  The RX ring
 * is refilled with buffers aimed at where the next blocks belong.  Two
 * rules keep that safe while the device fills buffers on its own thread:
 *  - a buffer posted with k buffers ahead of it is aimed at block
 *    next + k: each packet completes at most one block, so when it is
 *    filled that block has not been received yet (a stray packet can only
 *    scribble on room still to be filled);
 *  - aimed positions strictly increase: no two posted buffers share a
 *    block, so a block that landed one slot off (after a stray packet)
 *    stays intact until it is copied into place.  When next + k is not
 *    above the last aimed position, a scratch buffer is posted instead;
 *    that drains the shift and the ring is aimed right again.
 * Blocks in scratch buffers (before the OACK, IP options, the drain) are
 * copied into place.
 */
#include "boot/error_line.h"
#include "boot/firmware/io.h"
#include "boot/firmware/timer.h"
#include "boot/firmware/tftp_get.h"
#include "net/tftp.h"

#define TFTP_WANT_BLKSIZE	1468
#define TFTP_WANT_WINDOW	8

struct tftp_get {
	struct net *n;
	struct fw_file *f;
	struct tftp_client c;
	uint32_t server;
	uint16_t lport;
	uint64_t deadline;
	uint64_t aimed;			/* last aimed block + 1, 0: none yet */
	uint8_t ack[INET_UDP_HLEN + TFTP_HLEN];	/* ACK frame template */
	uint16_t ack_port;		/* its destination port, 0: none */
	int result;			/* 0 running, 1 done, -1 failed */
};

static uint16_t tftp_get_port(void)
{
	return (uint16_t)(49152 + rdtsc() % 16000);
}

static uint8_t *tftp_get_fill(void *ctx, unsigned int k, uint32_t *len,
			      uint64_t *tag)
{
	struct tftp_get *g = ctx;
	uint64_t off, pos;
	size_t bs;

	/* Before the OACK the block size is not known yet: scratch. */
	if (g->c.state != TFTP_S_TRANSFER || !g->f->base)
		return 0;
	pos = g->c.blocks + k;
	if (pos + 1 <= g->aimed)
		return 0;		/* would alias a posted buffer */
	off = tftp_next_offset(&g->c, k);
	bs = g->c.blksize;
	if (off + bs > g->f->cap)
		return 0;
	g->aimed = pos + 1;
	*len = (uint32_t)bs;
	*tag = off;
	return g->f->base + off;
}

/* The 46-byte ACK frame in eight-byte moves (-Os turns a memcpy of this
 * size into a rep movsb: 46 iterations, per block). */
static void tftp_get_copy_ack(uint8_t *dst, const uint8_t *src)
{
	_Static_assert(INET_UDP_HLEN + TFTP_HLEN == 46, "ACK frame size");
	for (unsigned int i = 0; i < 40; i += 8)
		__builtin_memcpy(dst + i, src + i, 8);
	__builtin_memcpy(dst + 40, src + 40, 4);
	__builtin_memcpy(dst + 44, src + 44, 2);
}

/*
 * The ACK frame is built once per server port and then only re-stamped:
 * new block number, checksum patched (RFC 1624), same IP id (DF is set,
 * RFC 6864).  Guest code is emulated on some KVMs; this is the per-block
 * send path.
 */
static bool tftp_get_send_ack(struct tftp_get *g, uint16_t port)
{
	uint8_t *udp = g->ack + ETH_HLEN + IPV4_HLEN;
	uint16_t old, block;

	if (g->c.tx_len != TFTP_HLEN || inet_get16(g->c.tx) != TFTP_ACK)
		return false;
	block = inet_get16(g->c.tx + 2);
	if (g->ack_port != port) {
		__builtin_memcpy(g->ack + INET_UDP_HLEN, g->c.tx, TFTP_HLEN);
		if (!net_udp_frame(g->n, g->ack, sizeof(g->ack), g->server,
				   g->lport, port, TFTP_HLEN))
			return false;
		g->ack_port = port;
	} else {
		old = inet_get16(udp + UDP_HLEN + 2);
		inet_put16(udp + UDP_HLEN + 2, block);
		inet_put16(udp + 6, inet_csum_update16(inet_get16(udp + 6),
						       old, block, true));
	}
	tftp_get_copy_ack(vnet_tx_frame(g->n->vnet), g->ack);
	vnet_tx_send(g->n->vnet, sizeof(g->ack));
	return true;
}

static void tftp_get_send(struct tftp_get *g)
{
	uint16_t port = g->c.server_port ? g->c.server_port : TFTP_PORT;

	if (!g->c.tx_len || tftp_get_send_ack(g, port))
		return;
	__builtin_memcpy(net_udp_payload(g->n), g->c.tx, g->c.tx_len);
	net_udp_send(g->n, g->server, g->lport, port, g->c.tx_len);
}

/* UDP checksum of a split DATA packet: headers here, payload there. */
static bool tftp_get_split_csum(const struct vnet_packet *p,
				const struct inet_udp *u)
{
	const uint8_t *udp = p->frame + u->payload_off - UDP_HLEN;
	uint8_t ph[12];
	uint32_t sum;

	if (p->csum_ok || !u->udp_csum)
		return true;
	inet_put32(ph, u->src_ip);
	inet_put32(ph + 4, u->dst_ip);
	ph[8] = 0;
	ph[9] = IPV4_PROTO_UDP;
	inet_put16(ph + 10, (uint16_t)(u->payload_len + UDP_HLEN));
	sum = inet_csum_add(0, ph, sizeof(ph));
	sum = inet_csum_add(sum, udp, UDP_HLEN + TFTP_HLEN);
	sum = inet_csum_add(sum, p->payload, u->payload_len - TFTP_HLEN);
	return inet_csum_fold(sum) == 0;
}

static int tftp_get_rx(void *ctx, struct net *n, struct vnet_packet *p,
		       const struct inet_udp *u)
{
	struct tftp_get *g = ctx;
	struct tftp_block blk;
	enum tftp_action act;
	const uint8_t *pkt = p->frame + u->payload_off;
	size_t avail = p->head_len - u->payload_off;

	if (u->dst_port != g->lport || u->src_ip != g->server)
		return NET_CONTINUE;
	if (avail < u->payload_len) {
		if (u->payload_len < TFTP_HLEN || inet_get16(pkt) != TFTP_DATA) {
			vnet_rx_linearize(n->vnet, p);
			if (!p->csum_ok && !inet_udp_csum_ok(p->frame, u))
				return NET_CONTINUE;
			avail = u->payload_len;
		} else if (!tftp_get_split_csum(p, u)) {
			return NET_CONTINUE;
		}
	}
	act = tftp_receive(&g->c, u->src_port, pkt, avail, u->payload_len,
			   &blk);
	if (blk.stored && blk.len) {
		const uint8_t *src = avail >= u->payload_len ? pkt + TFTP_HLEN :
				     p->payload;
		uint8_t *dst;

		if (!g->f->base && blk.offset == 0 &&
		    (!g->f->place || !g->f->place(g->f, src, blk.len))) {
			g->result = -1;
			return NET_DONE;
		}
		if (blk.offset + blk.len > g->f->cap) {
			g->result = -1;
			return NET_DONE;
		}
		dst = g->f->base + blk.offset;
		if (dst != src) {
			__builtin_memcpy(dst, src, blk.len);
			g->f->copied++;
		}
	}
	/* Buffers for one window and a few more: a short ring re-aims
	 * itself sooner after a stray packet. */
	if (g->c.state == TFTP_S_TRANSFER)
		n->vnet->rx_depth = g->c.windowsize + 3u;
	if (act != TFTP_A_NONE)
		tftp_get_send(g);
	if (blk.stored || act == TFTP_A_SEND)
		n->rearm_ms = g->c.timeout_ms;
	if (act == TFTP_A_DONE) {
		g->result = 1;
		return NET_DONE;
	}
	if (act == TFTP_A_FAILED) {
		g->result = -1;
		return NET_DONE;
	}
	return NET_CONTINUE;
}

int tftp_get(struct net *n, uint32_t server, struct fw_file *f,
	     char *err, size_t errlen)
{
	struct tftp_get g = { .n = n, .f = f, .server = server };
	struct tftp_request req = {
		.filename = f->name, .max_size = f->cap,
		.blksize = TFTP_WANT_BLKSIZE, .windowsize = TFTP_WANT_WINDOW,
		.tsize = true,
	};
	uint64_t start = timer_now_ms(), tsc0 = n->profile ? rdtsc() : 0;
	bool unreachable = false;

	f->size = f->copied = 0;
	f->not_found = false;
	n->busy_tsc = 0;
	if (!net_arp_resolve(n, net_next_hop(n, server)))
		return error_line(err, errlen, "the TFTP server does not answer ARP");
	g.lport = tftp_get_port();
	n->zc_port = g.lport;
	if (tftp_start(&g.c, &req) != TFTP_A_SEND)
		return error_line(err, errlen, "file name too long");
	tftp_get_send(&g);
	g.deadline = timer_now_ms() + g.c.timeout_ms;
	n->watch_port = g.lport;
	n->watch_ip = server;
	while (!g.result) {
		int rc = net_run(n, tftp_get_rx, &g, tftp_get_fill, &g,
				 &g.deadline);

		if (rc == NET_UNREACHABLE) {
			g.result = -1;
			unreachable = true;
		} else if (rc == NET_TIMEOUT) {
			enum tftp_action act = tftp_timeout(&g.c);

			/* The server's MAC may have changed (a bridge takes the
			 * lowest MAC of its ports): ask again before the resend,
			 * and rebuild the ACK frame with the answer. */
			if (act == TFTP_A_SEND) {
				net_arp_refresh(n, net_next_hop(n, server));
				g.ack_port = 0;
			}
			tftp_get_send(&g);
			if (act == TFTP_A_FAILED)
				g.result = -1;
			g.deadline = timer_now_ms() + g.c.timeout_ms;
		}
	}
	n->zc_port = 0;
	n->watch_port = 0;
	n->rearm_ms = 0;
	n->vnet->rx_depth = 0;
	f->ms = timer_now_ms() - start;
	f->tsc = n->profile ? rdtsc() - tsc0 : 0;
	f->busy_tsc = n->busy_tsc;
	f->blksize = g.c.blksize;
	f->window = g.c.windowsize;
	/* Buffers aimed at this file's room may still be posted: take them
	 * back before the room gets another use. */
	if (vnet_has_foreign_rx(n->vnet) &&
	    vnet_init(n->vnet, n->vnet->base, err, errlen) && g.result > 0)
		return -1;
	if (g.result < 0) {
		if (unreachable)
			error_line(err, errlen,
				   "port unreachable (ICMP): the TFTP server is gone");
		else if (g.c.state == TFTP_S_FAILED) {
			f->not_found = g.c.error_from_server &&
				       g.c.error_code == TFTP_ERR_NOT_FOUND;
			error_line(err, errlen, g.c.error_msg[0] ?
				   g.c.error_msg : tftp_error_name(g.c.error_code));
		} else {
			error_line(err, errlen, "no room for the file");
		}
		return -1;
	}
	f->size = g.c.size;
	return 0;
}
