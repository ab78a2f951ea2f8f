// SPDX-License-Identifier: MIT
/*
 * fw_block_cost BLOCKS WINDOW: one TFTP transfer of BLOCKS full blocks
 * (blksize 1468) through the netboot firmware's own code, built for the
 * host with the firmware's flags: tftp_get() -> net_run() -> vnet.c's
 * rings -> net/inet.c, net/tftp.c.  The "device" is a small virtio-net
 * back-end in this file (fake_device_step, run before each poll) that
 * answers the RRQ with an OACK and every ACK with the next WINDOW blocks,
 * marked DATA_VALID as a local server's frames are.
 *
 * It prints the queue notifies the firmware made (each is a VM exit; this
 * device never sets NO_NOTIFY, so they are an upper bound).  tests/unit/fw_block_cost.sh runs it under valgrind's callgrind
 * (a PMU-free instruction counter) for two sizes: the difference is the
 * firmware's instructions per block, the device's own left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/firmware/net.h"
#include "boot/firmware/timer.h"
#include "boot/firmware/tftp_get.h"
#include "boot/firmware/vnet.h"
#include "net/inet.h"
#include "net/tftp.h"
#include "tests/lib/fake_fw_vnet.h"

#define BLKSIZE		1468
#define SERVER_IP	0x0a4d0001u
#define CLIENT_IP	0x0a4d002au
#define SERVER_PORT	50000
#define IDLE_POLLS_MAX	1000000	/* the firmware and device wait on each other */

static const uint8_t server_mac[6] = { 2, 0, 0, 0, 0, 1 };
static uint32_t mmio[0x200 / 4];
static unsigned long rx_notifies, tx_notifies, idle_polls;
static uint16_t rx_avail_seen, tx_avail_seen;
static unsigned int blocks, window;
static uint16_t client_port;
static unsigned int next_block = 1, last_sent;	/* blocks sent: 1..last_sent */
static bool oack_pending;
static uint16_t rx_seen, tx_seen;

uint64_t timer_now_ms(void)
{
	return 0;	/* no timeouts: the device always answers */
}

/* Notifies since the last step: net_run refills the RX ring (one notify
 * if it posted) once per poll; every frame sent is one TX notify. */
static void count_notifies(struct vnet *v)
{
	if (v->rxq.avail.idx != rx_avail_seen)
		rx_notifies++;
	rx_avail_seen = v->rxq.avail.idx;
	tx_notifies += (uint16_t)(v->txq.avail.idx - tx_avail_seen);
	tx_avail_seen = v->txq.avail.idx;
}

/* A frame the firmware sent: an RRQ or an ACK. */
static void device_tx(const uint8_t *frame, size_t len)
{
	struct fake_fw_tftp_head h;
	uint16_t ack;

	if (!fake_fw_parse_tftp_head(frame, len, &h))
		return;
	if (h.opcode == TFTP_RRQ) {
		client_port = h.src_port;
		oack_pending = true;
		return;
	}
	if (h.opcode != TFTP_ACK)
		return;
	ack = h.block;
	/* Each ACK opens the next window (lockstep for window 1). */
	if ((unsigned int)ack + 1 == next_block || ack == 0) {
		last_sent = ack + window;
		if (last_sent > blocks + 1)
			last_sent = blocks + 1;
	}
}

/* Next frame for the guest into buf (Ethernet on), its length. */
static size_t device_frame(uint8_t *buf, size_t cap)
{
	struct inet_udp_addr a = {
		.src_mac = server_mac, .dst_mac = server_mac,
		.src_ip = SERVER_IP, .dst_ip = CLIENT_IP,
		.src_port = SERVER_PORT, .dst_port = client_port,
	};
	uint8_t *t = buf + INET_UDP_HLEN;
	size_t n;

	if (oack_pending) {
		char *o = (char *)t;

		oack_pending = false;
		inet_put16(t, TFTP_OACK);
		n = 2;
		n += (size_t)sprintf(o + n, "blksize") + 1;
		n += (size_t)sprintf(o + n, "%d", BLKSIZE) + 1;
		n += (size_t)sprintf(o + n, "windowsize") + 1;
		n += (size_t)sprintf(o + n, "%u", window) + 1;
		return inet_udp_build(buf, cap, &a, n);
	}
	if (next_block > last_sent)
		return 0;
	/* BLOCKS full blocks, then an empty one ends the transfer. */
	n = next_block <= blocks ? BLKSIZE : 0;
	inet_put16(t, TFTP_DATA);
	inet_put16(t + 2, (uint16_t)next_block);
	memset(t + 4, (int)(next_block & 0xff), n);
	next_block++;
	return inet_udp_build(buf, cap, &a, 4 + n);
}

/* Put one frame into the next posted RX chain (header part, payload). */
static bool device_rx(struct vnet *v)
{
	static uint8_t frame[ETH_FRAME_MAX];
	size_t len;

	if (rx_seen == v->rxq.avail.idx)
		return false;
	len = device_frame(frame, sizeof(frame));
	if (!len)
		return false;
	if (!fake_fw_vnet_rx(v, rx_seen, frame, len, true)) {
		fprintf(stderr, "fw_block_cost: a %zu-byte frame does not fit the posted buffers\n",
			len);
		exit(1);
	}
	rx_seen++;
	return true;
}

static void device_tx_all(struct vnet *v)
{
	struct vnet_queue *q = &v->txq;

	while (tx_seen != q->avail.idx) {
		uint16_t id = fake_fw_vnet_avail(q, tx_seen);
		struct vring_desc *d = &q->desc[id];

		device_tx((uint8_t *)d->addr + VNET_HDR_LEN, d->len - VNET_HDR_LEN);
		fake_fw_vnet_used(q, id, 0);
		tx_seen++;
	}
}

/* Not counted by the cost run (callgrind --toggle-collect). */
__attribute__((noinline)) void fake_device_step(struct vnet *v);
__attribute__((noinline)) void fake_device_step(struct vnet *v)
{
	count_notifies(v);
	device_tx_all(v);
	if (device_rx(v)) {
		idle_polls = 0;
	} else if (++idle_polls > IDLE_POLLS_MAX) {
		fprintf(stderr, "fw_block_cost: the firmware and the device wait on each other (block %u)\n",
			next_block);
		exit(1);
	}
}

bool __real_vnet_rx_poll(struct vnet *v, struct vnet_packet *p);
bool __wrap_vnet_rx_poll(struct vnet *v, struct vnet_packet *p);
bool __wrap_vnet_rx_poll(struct vnet *v, struct vnet_packet *p)
{
	fake_device_step(v);
	return __real_vnet_rx_poll(v, p);
}

/* The device is ours: a reset is fresh rings, as vnet_init() makes. */
int __wrap_vnet_init(struct vnet *v, uint64_t base, char *err, size_t errlen);
int __wrap_vnet_init(struct vnet *v, uint64_t base, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	rx_seen = tx_seen = rx_avail_seen = tx_avail_seen = 0;
	fake_fw_vnet_reset(v, base);
	rx_avail_seen = v->rxq.avail.idx;
	return 0;
}

int main(int argc, char **argv)
{
	static struct vnet vnet;
	static struct net net;
	struct fw_file f = { .name = "big.img" };
	char why[128] = "";

	if (argc != 3 || atoi(argv[1]) < 1 || atoi(argv[2]) < 1) {
		fprintf(stderr, "usage: fw_block_cost BLOCKS WINDOW\n");
		return 2;
	}
	blocks = (unsigned int)atoi(argv[1]);
	window = (unsigned int)atoi(argv[2]);
	f.cap = (uint64_t)blocks * BLKSIZE + BLKSIZE;
	f.base = malloc(f.cap);
	__wrap_vnet_init(&vnet, (uint64_t)(uintptr_t)mmio, NULL, 0);
	fake_fw_net_up(&net, &vnet, (const uint8_t[6]){ 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
		       CLIENT_IP, SERVER_IP, server_mac);
	if (tftp_get(&net, SERVER_IP, &f, why, sizeof(why)) < 0 ||
	    f.size != (uint64_t)blocks * BLKSIZE) {
		fprintf(stderr, "fw_block_cost: transfer failed: %s (%llu bytes)\n",
			why, (unsigned long long)f.size);
		return 1;
	}
	for (unsigned int b = 0; b < blocks; b++)
		if (f.base[(size_t)b * BLKSIZE] != (uint8_t)((b + 1) & 0xff)) {
			fprintf(stderr, "fw_block_cost: block %u misplaced\n", b + 1);
			return 1;
		}
	printf("blocks %u window %u rx_notifies %lu tx_notifies %lu copied %llu\n",
	       blocks, f.window, rx_notifies, tx_notifies, (unsigned long long)f.copied);
	return 0;
}
