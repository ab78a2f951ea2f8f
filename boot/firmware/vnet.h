/* SPDX-License-Identifier: MIT */
/*
 * virtio-net guest driver over virtio-MMIO version 2, polled.
 *
 * RX buffers are two-descriptor chains: a header part (virtio-net header
 * + Ethernet/IPv4/UDP/TFTP headers = 58 bytes) and a payload part.  The
 * payload part is the slot's own scratch area, which directly follows
 * the header part (so the frame is contiguous), or — for TFTP data — a
 * pointer straight at the file's destination (zero-copy receive).
 */
#ifndef MINIVMM_FW_VNET_H
#define MINIVMM_FW_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#define VNET_HDR_LEN		sizeof(struct virtio_net_hdr_v1)	/* 12 */
#define VNET_RX_HDR_PART	58	/* 12 + 14 + 20 + 8 + 4 */
#define VNET_RX_SLOTS		16
#define VNET_TX_SLOTS		8
#define VNET_QSIZE		32	/* a power of two: ring indices are masked, not divided */
#define VNET_SCRATCH		1536	/* >= a whole frame */

/* A split ring of VNET_QSIZE entries (the layout of <linux/virtio_ring.h>). */
struct vnet_queue {
	struct vring_desc desc[VNET_QSIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[VNET_QSIZE], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct vring_used_elem ring[VNET_QSIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4096)));
	uint16_t size;
	uint16_t last_used;
};

/* One RX slot: header part then scratch, contiguous. */
struct vnet_rx_slot {
	uint8_t hdr[VNET_RX_HDR_PART];
	uint8_t scratch[VNET_SCRATCH];
};

struct vnet_tx_slot {
	uint8_t buf[VNET_HDR_LEN + 1514];
	bool busy;
};

struct vnet {
	uint64_t base;			/* MMIO window */
	uint8_t mac[6];
	bool data_valid_ok;		/* GUEST_CSUM negotiated */
	struct vnet_queue rxq __attribute__((aligned(4096)));
	struct vnet_queue txq __attribute__((aligned(4096)));
	struct vnet_rx_slot rx[VNET_RX_SLOTS];
	uint8_t *rx_payload[VNET_RX_SLOTS];	/* where desc 2i+1 points */
	uint32_t rx_payload_len[VNET_RX_SLOTS];
	uint64_t rx_tag[VNET_RX_SLOTS];		/* caller's note per slot */
	struct vnet_tx_slot tx[VNET_TX_SLOTS];
	unsigned int tx_next;
	unsigned int rx_posted;			/* slots owned by the device */
	unsigned int rx_depth;			/* post up to this many */
	unsigned int rx_head;			/* oldest posted slot */
	uint64_t rx_packets, tx_packets;
};

/* A received packet, valid until vnet_rx_done(). */
struct vnet_packet {
	unsigned int slot;
	uint8_t *frame;			/* contiguous unless split */
	size_t frame_len;		/* whole frame */
	size_t head_len;		/* bytes readable at frame */
	uint8_t *payload;		/* the payload part's buffer */
	uint64_t tag;
	bool csum_ok;			/* device vouched (DATA_VALID/NEEDS_CSUM) */
};

/* 0, or -1 with a one-line reason in err.  Also re-initialises a running
 * device. */
int vnet_init(struct vnet *v, uint64_t mmio_base, char *err, size_t errlen);
/* Stop the device: it lets go of every buffer (before the kernel runs). */
void vnet_reset(struct vnet *v);
/* Are RX buffers that point outside our slots still posted? */
bool vnet_has_foreign_rx(const struct vnet *v);
/* Send a frame already built at vnet_tx_frame() (len bytes). */
uint8_t *vnet_tx_frame(struct vnet *v);
void vnet_tx_send(struct vnet *v, size_t len);
/*
 * Post slot buffers until all slots are posted; payload_for() may point
 * a slot's payload elsewhere (NULL = scratch).  k is the number of slots
 * already posted ahead of this one.
 */
typedef uint8_t *(*vnet_payload_fn)(void *ctx, unsigned int k,
				    uint32_t *len, uint64_t *tag);
void vnet_rx_fill(struct vnet *v, vnet_payload_fn fn, void *ctx);
/* Notify the RX queue again (cheap insurance while idle). */
void vnet_rx_kick(struct vnet *v);
/* Next received packet, false if none. */
bool vnet_rx_poll(struct vnet *v, struct vnet_packet *p);
/* Make the packet contiguous in the slot (copies a split payload). */
void vnet_rx_linearize(struct vnet *v, struct vnet_packet *p);
/* Give the slot back (it is reposted by the next vnet_rx_fill). */
void vnet_rx_done(struct vnet *v, struct vnet_packet *p);

#endif
