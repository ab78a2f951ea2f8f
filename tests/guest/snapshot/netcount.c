// SPDX-License-Identifier: MIT
/*
 * The snapshot tests' network guest: a polled virtio-net driver (queue 0
 * receives, queue 1 transmits, no offloads).  For n = 1..NET_COUNT it
 * sends one broadcast frame of EtherType NET_TX_TYPE carrying "NETSEQ",
 * n and a pattern derived from n, waits for the device to take it, reaps
 * whatever the host sent meanwhile (EtherType NET_RX_TYPE, numbered by
 * the host), prints "NET n" every tenth frame and waits about 10 ms.  At
 * the end: "NET final sent=N rx=R rxbad=B" and power-off.
 *
 * A save lands between or inside transmissions; the host side
 * (netpeer.py) records every frame it sees, and a restored guest must
 * have sent each number exactly once.  Received frames must carry
 * increasing numbers (frames lost while no VM runs are fine, a frame
 * delivered twice or a damaged one is counted in rxbad).
 */
#include <stdint.h>

#include <linux/virtio_net.h>

#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_string.h"
#include "tests/guest/lib/guest_virtio.h"

#define NL "\r\n"

#define NET_COUNT	300
#define NET_DELAY_CYCLES 20000000ull	/* ~10 ms at 2 GHz */
#define NET_TX_TYPE	0x88b5		/* IEEE local experimental 1 */
#define NET_RX_TYPE	0x88b6		/* IEEE local experimental 2 */
#define NET_HDR		sizeof(struct virtio_net_hdr_v1)
#define NET_PAYLOAD	64
#define NET_FRAME	(14 + NET_PAYLOAD)
#define NET_RX_BUF	(NET_HDR + 1518)
#define NET_SLOTS	4		/* virtio-mmio slots searched */

static uint8_t rx_rings[GUEST_VQ_RING_BYTES] __attribute__((aligned(4096)));
static uint8_t tx_rings[GUEST_VQ_RING_BYTES] __attribute__((aligned(4096)));
static uint8_t rx_buf[GUEST_VQ_SIZE][NET_RX_BUF];
static uint8_t tx_buf[NET_HDR + NET_FRAME];
static uint8_t mac[6];

struct net_counts {
	uint32_t rx, rxbad, rx_last;
};

static uint64_t net_find(void)
{
	for (unsigned int slot = 0; slot < NET_SLOTS; slot++) {
		uint64_t base = guest_virtio_window(slot);

		if (guest_virtio_is(base, VIRTIO_ID_NET))
			return base;
	}
	return 0;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* "NETSEQ", the number, then bytes that depend on it (the peer checks). */
static void net_payload(uint8_t *p, uint32_t n)
{
	memcpy(p, "NETSEQ", 6);
	put_be32(p + 6, n);
	for (unsigned int i = 10; i < NET_PAYLOAD; i++)
		p[i] = (uint8_t)(n * 31 + i);
}

static void net_rx_post(struct guest_vq *q, uint16_t id)
{
	q->vr.desc[id].addr = (uint64_t)(uintptr_t)rx_buf[id];
	q->vr.desc[id].len = NET_RX_BUF;
	q->vr.desc[id].flags = VRING_DESC_F_WRITE;
	q->vr.desc[id].next = 0;
	q->vr.avail->ring[q->avail_next % GUEST_VQ_SIZE] = id;
	q->avail_next++;
}

static void net_rx_publish(struct guest_vq *q)
{
	__asm__ volatile("" ::: "memory");
	*(volatile uint16_t *)&q->vr.avail->idx = q->avail_next;
	__asm__ volatile("mfence" ::: "memory");
	guest_virtio_wr(q->base, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

/* One received frame: ours and numbered above the last one, or bad. */
static void net_rx_check(struct net_counts *c, const uint8_t *f, uint32_t len)
{
	uint8_t want[NET_PAYLOAD];
	uint32_t n;

	if (len < NET_HDR + 14 || f[NET_HDR + 12] != (NET_RX_TYPE >> 8) ||
	    f[NET_HDR + 13] != (NET_RX_TYPE & 0xff))
		return;		/* the host's own chatter (IPv6 and such) */
	n = len >= NET_HDR + NET_FRAME ? get_be32(f + NET_HDR + 14 + 6) : 0;
	net_payload(want, n);
	if (len < NET_HDR + NET_FRAME || n <= c->rx_last ||
	    memcmp(f + NET_HDR + 14, want, NET_PAYLOAD)) {
		c->rxbad++;
		guest_printf("NET rx bad n=%u after %u" NL, n, c->rx_last);
		return;
	}
	c->rx_last = n;
	c->rx++;
}

static void net_rx_reap(struct guest_vq *q, struct net_counts *c)
{
	volatile uint16_t *used_idx = &q->vr.used->idx;
	bool any = false;

	while (*used_idx != q->used_seen) {
		struct vring_used_elem *e =
			&q->vr.used->ring[q->used_seen % GUEST_VQ_SIZE];
		uint16_t id = (uint16_t)e->id;

		q->used_seen++;
		if (id >= GUEST_VQ_SIZE || e->len > NET_RX_BUF) {
			c->rxbad++;
			guest_printf("NET rx bad element id=%u len=%u" NL, id, e->len);
			continue;
		}
		net_rx_check(c, rx_buf[id], e->len);
		net_rx_post(q, id);
		any = true;
	}
	if (any)
		net_rx_publish(q);
}

static void net_delay(void)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < NET_DELAY_CYCLES)
		__asm__ volatile("pause");
}

static __attribute__((noreturn)) void net_stop(const struct guest_boot *boot,
					       const char *why)
{
	const char *source;

	guest_printf("NET %s" NL, why);
	guest_poweroff(acpi_find_rsdp(boot->rsdp_hint, &source));
}

void guest_main(const struct guest_boot *boot)
{
	struct guest_vq rxq, txq;
	struct net_counts c = { 0, 0, 0 };
	uint64_t base = net_find();
	uint32_t sent = 0;

	guest_printf("NET start" NL);
	if (!base || !guest_virtio_negotiate(base, 0, NULL))
		net_stop(boot, "no device");
	for (unsigned int i = 0; i < 6; i++)
		mac[i] = (uint8_t)guest_virtio_rd(base, VIRTIO_MMIO_CONFIG + i);
	if (!guest_vq_setup(&rxq, base, 0, rx_rings) ||
	    !guest_vq_setup(&txq, base, 1, tx_rings) ||
	    !guest_virtio_driver_ok(base))
		net_stop(boot, "no queues");
	for (uint16_t id = 0; id < GUEST_VQ_SIZE; id++)
		net_rx_post(&rxq, id);
	net_rx_publish(&rxq);

	memset(tx_buf, 0, sizeof(tx_buf));
	memset(tx_buf + NET_HDR, 0xff, 6);
	memcpy(tx_buf + NET_HDR + 6, mac, 6);
	put_be16(tx_buf + NET_HDR + 12, NET_TX_TYPE);
	for (uint32_t n = 1; n <= NET_COUNT; n++) {
		struct guest_vq_buf b = { tx_buf, sizeof(tx_buf), false };

		net_payload(tx_buf + NET_HDR + 14, n);
		if (!guest_vq_call(&txq, &b, 1))
			net_stop(boot, "tx timeout");
		sent++;
		net_rx_reap(&rxq, &c);
		if (n % 10 == 0)
			guest_printf("NET %u" NL, n);
		net_delay();
	}
	net_rx_reap(&rxq, &c);
	guest_printf("NET final sent=%u rx=%u rxbad=%u" NL, sent, c.rx, c.rxbad);
	net_stop(boot, "off");
}
