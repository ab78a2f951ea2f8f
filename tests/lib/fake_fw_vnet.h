/* SPDX-License-Identifier: MIT */
/*
 * The device end of the netboot firmware's virtio-net rings, for the host
 * programs that build the firmware's network code (boot/firmware/vnet.c,
 * net.c, tftp_get.c) and play the card themselves: tests/unit/
 * fw_block_cost.c, tests/fuzz/fuzz_fw_tftp.c and tests/netboot/
 * fw_tap_get.c (frames to and from a TAP).  What a frame is, and when it
 * comes, stays theirs; the ring handling is here, and so is the parse of
 * a TFTP packet's opcode and block number that their devices share.
 *
 * Include after boot/firmware/vnet.h (or vnet.c) and net.h.
 */
#ifndef MINIVMM_TESTS_FAKE_FW_VNET_H
#define MINIVMM_TESTS_FAKE_FW_VNET_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Fresh rings at MMIO base, as the firmware's vnet_init() leaves them
 * after a device reset (no MMIO negotiation: the device is the caller),
 * the receive buffers posted. */
static inline void fake_fw_vnet_reset(struct vnet *v, uint64_t base)
{
	memset(&v->rxq, 0, sizeof(v->rxq));
	memset(&v->txq, 0, sizeof(v->txq));
	for (int i = 0; i < VNET_TX_SLOTS; i++)
		v->tx[i].busy = false;
	v->tx_next = v->rx_posted = v->rx_head = 0;
	v->rxq.size = v->txq.size = VNET_QSIZE;
	v->base = base;
	v->data_valid_ok = true;
	vnet_rx_fill(v, 0, 0);
}

/* The firmware's network on v as DHCP leaves it: mac, ip on a /24, and
 * the server's MAC already known (no ARP round first). */
static inline void fake_fw_net_up(struct net *net, struct vnet *v,
				  const uint8_t mac[6], uint32_t ip,
				  uint32_t server_ip, const uint8_t server_mac[6])
{
	memset(net, 0, sizeof(*net));
	memcpy(v->mac, mac, 6);
	net->vnet = v;
	net->ip = ip;
	net->netmask = 0xffffff00u;
	net_arp_learn(net, server_ip, server_mac);
}

/* The device hands chain id of q back, len bytes written into it. */
static inline void fake_fw_vnet_used(struct vnet_queue *q, uint16_t id,
				     uint32_t len)
{
	q->used.ring[q->used.idx % q->size].id = id;
	q->used.ring[q->used.idx % q->size].len = len;
	__atomic_store_n(&q->used.idx, (uint16_t)(q->used.idx + 1),
			 __ATOMIC_RELEASE);
}

/* The head descriptor of the chain at slot of q's avail ring, kept inside
 * the descriptor table. */
static inline uint16_t fake_fw_vnet_avail(const struct vnet_queue *q,
					  uint16_t slot)
{
	return q->avail.ring[slot % q->size] % VNET_QSIZE;
}

/*
 * One received frame of len bytes into the chain at slot of the RX avail
 * ring: the virtio-net header (DATA_VALID if valid) and as much of the
 * frame as fits in the first buffer, the rest in the second.  False, and
 * nothing written, when the frame does not fit: a device without
 * mergeable buffers drops it.
 */
static inline bool fake_fw_vnet_rx(struct vnet *v, uint16_t slot,
				   const uint8_t *frame, size_t len, bool valid)
{
	struct vnet_queue *q = &v->rxq;
	uint16_t id = fake_fw_vnet_avail(q, slot);
	struct vring_desc *d0 = &q->desc[id];
	struct vring_desc *d1 = &q->desc[d0->next % VNET_QSIZE];
	uint8_t *hdr = (uint8_t *)(uintptr_t)d0->addr;
	size_t head;

	assert(d0->len >= VNET_HDR_LEN);
	head = len < d0->len - VNET_HDR_LEN ? len : d0->len - VNET_HDR_LEN;
	if (len - head > ((d0->flags & VRING_DESC_F_NEXT) ? d1->len : 0))
		return false;
	memset(hdr, 0, VNET_HDR_LEN);
	if (valid)
		hdr[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	memcpy(hdr + VNET_HDR_LEN, frame, head);
	if (len > head)
		memcpy((void *)(uintptr_t)d1->addr, frame + head, len - head);
	fake_fw_vnet_used(q, id, (uint32_t)(VNET_HDR_LEN + len));
	return true;
}

/* The start of the TFTP packet a UDP frame carries, and who sent it. */
struct fake_fw_tftp_head {
	uint16_t opcode;	/* TFTP_RRQ, TFTP_DATA, TFTP_ACK, ... */
	uint16_t block;		/* the word after it: DATA's and ACK's block */
	uint16_t src_port;	/* the UDP source port */
};

/*
 * Parse a whole Ethernet frame of len bytes as UDP and read the first four
 * bytes of its payload into h.  False when it is no UDP datagram or its
 * payload is shorter: no TFTP packet the devices act on (RRQ, DATA, ACK)
 * is, so they pass it over.
 */
static inline bool fake_fw_parse_tftp_head(const uint8_t *frame, size_t len,
					   struct fake_fw_tftp_head *h)
{
	struct inet_udp u;
	const uint8_t *t;

	if (inet_udp_parse(frame, len, len, &u) != INET_OK || u.payload_len < 4)
		return false;
	t = frame + u.payload_off;
	h->opcode = inet_get16(t);
	h->block = inet_get16(t + 2);
	h->src_port = u.src_port;
	return true;
}

#endif
