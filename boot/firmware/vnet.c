// SPDX-License-Identifier: MIT
/*
 * virtio-net over virtio-MMIO v2 (virtio 1.x 4.2.2), polled, no
 * interrupts.  Features: VERSION_1, MAC, GUEST_CSUM; no mergeable buffers
 * (each RX chain holds exactly one frame, see vnet.h).
 */
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#include "boot/error_line.h"
#include "boot/firmware/io.h"
#include "boot/firmware/vnet.h"

/* Register map, status, feature and ring bits: the kernel's uapi headers. */
#define VNET_F_LO(bit)		(1u << (bit))		/* feature word 0 */
#define VNET_F_HI(bit)		(1u << ((bit) - 32))	/* feature word 1 */
#define VNET_STATUS_SET_UP \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
	 VIRTIO_CONFIG_S_FEATURES_OK)

static void vnet_w(struct vnet *v, uint32_t reg, uint32_t val)
{
	mmio_write32(v->base + reg, val);
}

static uint32_t vnet_r(struct vnet *v, uint32_t reg)
{
	return mmio_read32(v->base + reg);
}

static int vnet_queue_init(struct vnet *v, unsigned int idx,
			   struct vnet_queue *q, char *err, size_t errlen)
{
	uint32_t max;
	uint64_t a;

	vnet_w(v, VIRTIO_MMIO_QUEUE_SEL, idx);
	if (vnet_r(v, VIRTIO_MMIO_QUEUE_READY))
		return error_line(err, errlen, "virtio-net queue already live");
	max = vnet_r(v, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max < VNET_QSIZE)
		return error_line(err, errlen, "virtio-net queue too small");
	q->size = VNET_QSIZE;
	vnet_w(v, VIRTIO_MMIO_QUEUE_NUM, VNET_QSIZE);
	a = (uint64_t)q->desc;
	vnet_w(v, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)a);
	vnet_w(v, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(a >> 32));
	a = (uint64_t)&q->avail;
	vnet_w(v, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)a);
	vnet_w(v, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(a >> 32));
	a = (uint64_t)&q->used;
	vnet_w(v, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)a);
	vnet_w(v, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(a >> 32));
	q->avail.flags = VRING_AVAIL_F_NO_INTERRUPT;
	vnet_w(v, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

void vnet_reset(struct vnet *v)
{
	unsigned long spins = 0;

	vnet_w(v, VIRTIO_MMIO_STATUS, 0);
	/* virtio-mmio: the reset is complete when status reads back 0. */
	while (vnet_r(v, VIRTIO_MMIO_STATUS) && ++spins < 1000000ul)
		cpu_relax();
}

bool vnet_has_foreign_rx(const struct vnet *v)
{
	for (unsigned int k = 0; k < v->rx_posted; k++) {
		unsigned int i = (v->rx_head + k) % VNET_RX_SLOTS;

		if (v->rx_payload[i] != v->rx[i].scratch)
			return true;
	}
	return false;
}

int vnet_init(struct vnet *v, uint64_t mmio_base, char *err, size_t errlen)
{
	uint32_t f_lo, f_hi;

	__builtin_memset(&v->rxq, 0, sizeof(v->rxq));
	__builtin_memset(&v->txq, 0, sizeof(v->txq));
	for (int i = 0; i < VNET_TX_SLOTS; i++)
		v->tx[i].busy = false;
	v->tx_next = v->rx_posted = v->rx_head = 0;
	v->base = mmio_base;
	if (!mmio_base)
		return error_line(err, errlen, "no virtio-net device in the hand-off block");
	if (vnet_r(v, VIRTIO_MMIO_MAGIC_VALUE) != 0x74726976 /* "virt" */ ||
	    vnet_r(v, VIRTIO_MMIO_VERSION) != 2)
		return error_line(err, errlen,
					  "no virtio-mmio v2 device at the virtio-net address");
	if (vnet_r(v, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_NET)
		return error_line(err, errlen, "the virtio-mmio device is not a network card");
	vnet_reset(v);
	vnet_w(v, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vnet_w(v, VIRTIO_MMIO_STATUS,
	       VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vnet_w(v, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f_lo = vnet_r(v, VIRTIO_MMIO_DEVICE_FEATURES);
	vnet_w(v, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f_hi = vnet_r(v, VIRTIO_MMIO_DEVICE_FEATURES);
	if (!(f_hi & VNET_F_HI(VIRTIO_F_VERSION_1)))
		return error_line(err, errlen, "virtio-net lacks VIRTIO_F_VERSION_1");
	f_lo &= VNET_F_LO(VIRTIO_NET_F_MAC) |
		VNET_F_LO(VIRTIO_NET_F_GUEST_CSUM);
	vnet_w(v, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vnet_w(v, VIRTIO_MMIO_DRIVER_FEATURES, f_lo);
	vnet_w(v, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vnet_w(v, VIRTIO_MMIO_DRIVER_FEATURES, VNET_F_HI(VIRTIO_F_VERSION_1));
	vnet_w(v, VIRTIO_MMIO_STATUS, VNET_STATUS_SET_UP);
	if (!(vnet_r(v, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK))
		return error_line(err, errlen, "virtio-net refused our features");
	v->data_valid_ok = f_lo & VNET_F_LO(VIRTIO_NET_F_GUEST_CSUM);
	if (f_lo & VNET_F_LO(VIRTIO_NET_F_MAC))
		for (int i = 0; i < 6; i++)
			v->mac[i] = mmio_read8(v->base + VIRTIO_MMIO_CONFIG + i);
	if (vnet_queue_init(v, 0, &v->rxq, err, errlen) ||
	    vnet_queue_init(v, 1, &v->txq, err, errlen))
		return -1;
	vnet_w(v, VIRTIO_MMIO_STATUS, VNET_STATUS_SET_UP | VIRTIO_CONFIG_S_DRIVER_OK);
	/* Buffers up at once: the first answer may come before we poll. */
	vnet_rx_fill(v, 0, 0);
	return 0;
}

/*
 * Each notify is a VM exit.  A device busy with the queue sets
 * NO_NOTIFY in the used ring and looks at the avail ring again before it
 * clears it, so the notify can be skipped then (virtio 1.x 2.7.7).
 */
static void vnet_notify(struct vnet *v, struct vnet_queue *q,
			unsigned int idx)
{
	mb();
	if (!(*(volatile uint16_t *)&q->used.flags & VRING_USED_F_NO_NOTIFY))
		vnet_w(v, VIRTIO_MMIO_QUEUE_NOTIFY, idx);
}

/* ---- TX: one descriptor per frame (header + frame contiguous) ---- */

static void vnet_tx_reclaim(struct vnet *v)
{
	struct vnet_queue *q = &v->txq;

	while (q->last_used != *(volatile uint16_t *)&q->used.idx) {
		uint32_t id = q->used.ring[q->last_used % VNET_QSIZE].id;

		if (id < VNET_TX_SLOTS)
			v->tx[id].busy = false;
		q->last_used++;
	}
}

uint8_t *vnet_tx_frame(struct vnet *v)
{
	struct vnet_tx_slot *s = &v->tx[v->tx_next];
	uint64_t spins = 0;

	/* All slots in flight: the device works on its own thread; wait. */
	while (s->busy) {
		vnet_tx_reclaim(v);
		if (++spins > 100000000ull)
			s->busy = false;	/* device stuck: reuse anyway */
		cpu_relax();
	}
	return s->buf + VNET_HDR_LEN;
}

void vnet_tx_send(struct vnet *v, size_t len)
{
	struct vnet_queue *q = &v->txq;
	unsigned int i = v->tx_next;
	struct vnet_tx_slot *s = &v->tx[i];

	__builtin_memset(s->buf, 0, VNET_HDR_LEN);	/* inline stores */
	q->desc[i].addr = (uint64_t)s->buf;
	q->desc[i].len = (uint32_t)(VNET_HDR_LEN + len);
	q->desc[i].flags = 0;
	s->busy = true;
	q->avail.ring[q->avail.idx % VNET_QSIZE] = (uint16_t)i;
	barrier();
	q->avail.idx++;
	vnet_notify(v, q, 1);
	v->tx_next = (i + 1) % VNET_TX_SLOTS;
	v->tx_packets++;
	vnet_tx_reclaim(v);
}

/* ---- RX ---- */

void vnet_rx_fill(struct vnet *v, vnet_payload_fn fn, void *ctx)
{
	struct vnet_queue *q = &v->rxq;
	bool posted = false;
	unsigned int depth = v->rx_depth && v->rx_depth < VNET_RX_SLOTS ?
			     v->rx_depth : VNET_RX_SLOTS;

	while (v->rx_posted < depth) {
		unsigned int i = (v->rx_head + v->rx_posted) % VNET_RX_SLOTS;
		uint32_t len = VNET_SCRATCH;
		uint64_t tag = 0;
		uint8_t *pay = fn ? fn(ctx, v->rx_posted, &len, &tag) : 0;

		if (!pay) {
			pay = v->rx[i].scratch;
			len = VNET_SCRATCH;
			tag = 0;
		}
		v->rx_payload[i] = pay;
		v->rx_payload_len[i] = len;
		v->rx_tag[i] = tag;
		q->desc[2 * i].addr = (uint64_t)v->rx[i].hdr;
		q->desc[2 * i].len = VNET_RX_HDR_PART;
		q->desc[2 * i].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
		q->desc[2 * i].next = (uint16_t)(2 * i + 1);
		q->desc[2 * i + 1].addr = (uint64_t)pay;
		q->desc[2 * i + 1].len = len;
		q->desc[2 * i + 1].flags = VRING_DESC_F_WRITE;
		q->avail.ring[q->avail.idx % VNET_QSIZE] = (uint16_t)(2 * i);
		barrier();
		q->avail.idx++;
		v->rx_posted++;
		posted = true;
	}
	if (posted)
		vnet_notify(v, q, 0);
}

void vnet_rx_kick(struct vnet *v)
{
	mb();
	vnet_w(v, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

bool vnet_rx_poll(struct vnet *v, struct vnet_packet *p)
{
	struct vnet_queue *q = &v->rxq;
	struct vring_used_elem *e;
	unsigned int slot;
	uint32_t len;
	uint8_t flags;

	if (q->last_used == *(volatile uint16_t *)&q->used.idx)
		return false;
	barrier();
	e = &q->used.ring[q->last_used % VNET_QSIZE];
	q->last_used++;
	slot = e->id / 2;
	len = e->len;
	/* Chains complete in order; trust only our own bookkeeping. */
	if (slot != v->rx_head)
		slot = v->rx_head;
	v->rx_head = (v->rx_head + 1) % VNET_RX_SLOTS;
	v->rx_posted--;
	v->rx_packets++;
	if (len > VNET_RX_HDR_PART + v->rx_payload_len[slot])
		len = VNET_RX_HDR_PART + v->rx_payload_len[slot];
	flags = v->rx[slot].hdr[0];
	p->slot = slot;
	p->frame = v->rx[slot].hdr + VNET_HDR_LEN;
	p->frame_len = len > VNET_HDR_LEN ? len - VNET_HDR_LEN : 0;
	p->payload = v->rx_payload[slot];
	p->tag = v->rx_tag[slot];
	p->head_len = p->frame_len;
	if (p->payload != v->rx[slot].scratch &&
	    p->head_len > VNET_RX_HDR_PART - VNET_HDR_LEN)
		p->head_len = VNET_RX_HDR_PART - VNET_HDR_LEN;
	p->csum_ok = v->data_valid_ok &&
		     (flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_NEEDS_CSUM));
	return true;
}

void vnet_rx_linearize(struct vnet *v, struct vnet_packet *p)
{
	struct vnet_rx_slot *s = &v->rx[p->slot];
	size_t rest = p->frame_len - p->head_len;

	if (p->head_len == p->frame_len)
		return;
	if (rest > VNET_SCRATCH)
		rest = VNET_SCRATCH;
	__builtin_memcpy(s->scratch, p->payload, rest);
	p->payload = s->scratch;
	p->head_len = p->frame_len;
}

void vnet_rx_done(struct vnet *v, struct vnet_packet *p)
{
	(void)v;
	(void)p;	/* slots are reposted in order by vnet_rx_fill() */
}
