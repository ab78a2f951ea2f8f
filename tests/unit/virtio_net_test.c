// SPDX-License-Identifier: MIT
/*
 * devices/virtio_net.c driven like a guest would: a small virtio driver in
 * this file writes the virtio-mmio registers and the rings in fake guest
 * memory; a SOCK_SEQPACKET socketpair stands in for the TAP (one packet per
 * read, silent truncation, EAGAIN when full - as a TAP behaves).
 * Hostile chains and headers must drop the packet and count an error.
 */
#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "devices/state_stream.h"
#include "devices/virtio_net.h"
#include "devices/virtqueue.h"
#include "net/tap.h"
#include "tests/lib/fake_virtio.h"
#include "tests/unit/unit_main.h"

#define MEM_SIZE	(4u << 20)
#define QSIZE		16
#define RXQ_DESC	0x1000
#define RXQ_AVAIL	0x2000
#define RXQ_USED	0x3000
#define TXQ_DESC	0x4000
#define TXQ_AVAIL	0x5000
#define TXQ_USED	0x6000
#define BUF_BASE	0x10000
#define HDR		VIRTIO_NET_HDR_LEN

#define BIT(n) (1ULL << (n))

struct fake {
	struct fake_virtio_host host;	/* guest RAM, MMIO bus, interrupts */
	int peer;			/* the "network" end of the socketpair */
	struct virtio_net *net;
	struct fake_vq vq[2];		/* VIRTIO_NET_RXQ, VIRTIO_NET_TXQ */
	uint64_t features;
};

static struct fake F;
static char err[256];

static void wr(uint64_t off, uint32_t v)
{
	fake_virtio_wr(&F.host, off, v);
}

static uint32_t rd(uint64_t off)
{
	return fake_virtio_rd(&F.host, off);
}

static void *gpa(uint64_t a)
{
	return fake_virtio_gpa(&F.host, a);
}

/* Negotiate features (masked by what the device offers) and go. */
static void driver_init(uint64_t want)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	memset(F.host.ram, 0, 0x10000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	F.features = (want | BIT(VIRTIO_F_VERSION_1)) &
		     fake_virtio_device_features(&F.host);
	ck_assert(fake_virtio_negotiate(&F.host, F.features) &
		  VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned int q = VIRTIO_NET_RXQ; q <= VIRTIO_NET_TXQ; q++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, q);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	}
	fake_vq_setup(&F.vq[VIRTIO_NET_RXQ], &F.host, VIRTIO_NET_RXQ, QSIZE,
		      RXQ_DESC, RXQ_AVAIL, RXQ_USED);
	fake_vq_setup(&F.vq[VIRTIO_NET_TXQ], &F.host, VIRTIO_NET_TXQ, QSIZE,
		      TXQ_DESC, TXQ_AVAIL, TXQ_USED);
	ck_assert(fake_virtio_driver_ok(&F.host) & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* ---- rings ---- */

/* Put a chain on queue q (descriptors allocated round robin). */
static uint16_t post(unsigned int q, const struct fake_seg *s, unsigned int n)
{
	return fake_vq_post_chain(&F.vq[q], s, n);
}

static void kick(unsigned int q)
{
	fake_vq_kick(&F.vq[q]);
}

static uint16_t used_idx(unsigned int q)
{
	return fake_vq_used_idx(&F.vq[q]);
}

static struct vring_used_elem used_elem(unsigned int q, uint16_t i)
{
	return fake_vq_used_elem(&F.vq[q], i);
}

/* TX chains posted and not used yet. */
static uint16_t tx_in_flight(void)
{
	return (uint16_t)(F.vq[VIRTIO_NET_TXQ].avail_idx -
			  used_idx(VIRTIO_NET_TXQ));
}

/* Wait until the used index of q reaches want (10 s at most: CI may be
 * busy). */
static bool wait_used(unsigned int q, uint16_t want)
{
	for (int i = 0; i < 10000; i++) {
		if ((uint16_t)(used_idx(q) - want) < 0x8000)
			return true;
		usleep(1000);
	}
	return false;
}

/* Nothing more happens for a while. */
static void settle(void)
{
	usleep(50000);
}

static struct virtio_net_stats stats(void)
{
	struct virtio_net_stats st;

	virtio_net_get_stats(F.net, &st);
	return st;
}

/* ---- the network side ---- */

static void net_send(const void *hdr, const uint8_t *frame, size_t len)
{
	uint8_t buf[HDR + 70000];
	uint8_t zero[HDR] = { 0 };

	ck_assert_uint_le(len, sizeof(buf) - HDR);
	memcpy(buf, hdr ? hdr : zero, HDR);
	memcpy(buf + HDR, frame, len);
	ck_assert_int_eq(write(F.peer, buf, HDR + len), (ssize_t)(HDR + len));
}

static ssize_t net_recv(uint8_t *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = F.peer, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return read(F.peer, buf, cap);
}

static void make_frame(uint8_t *f, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i * 7 + (i >> 8));
	memset(f, 0xff, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
}

/* ---- fixture ---- */

static void setup(void)
{
	int sv[2];
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(&F, 0, sizeof(F));
	fake_virtio_host_init(&F.host, MEM_SIZE, 0);
	ck_assert_ptr_nonnull(F.host.ram);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0, sv), 0);
	F.peer = sv[1];
	/* Room for about a dozen 1.5 KB packets, then EAGAIN. */
	ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF,
				    &(int){ 16384 }, sizeof(int)), 0);
	ck_assert_msg(virtio_net_create_on_fd(&F.net, &F.host.ops, &F.host.mem,
					      FAKE_WINDOW(0), sv[0], mac, err,
					      sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(virtio_net_start(F.net, NULL), 0);
}

static void teardown(void)
{
	virtio_net_destroy(F.net);
	if (F.peer >= 0)
		close(F.peer);
	fake_virtio_host_free(&F.host);
}

/* ---- pure helpers ---- */

START_TEST(test_tx_hdr_rules)
{
	uint64_t all = BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_HOST_TSO4) |
		       BIT(VIRTIO_NET_F_HOST_TSO6);
	struct virtio_net_hdr_v1 h = { 0 };

	ck_assert(virtio_net_tx_hdr_ok(&h, 60, 0));
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 6;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 60, 0));	/* CSUM not negotiated */
	ck_assert(virtio_net_tx_hdr_ok(&h, 60, all));
	ck_assert(!virtio_net_tx_hdr_ok(&h, 41, all));	/* csum past the end */
	h.csum_start = 0xffff;
	h.csum_offset = 0xffff;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 65536, all)); /* no overflow */
	h.csum_start = 34;
	h.csum_offset = 16;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 1448;
	h.hdr_len = 66;
	ck_assert(virtio_net_tx_hdr_ok(&h, 30000, all));
	ck_assert(!virtio_net_tx_hdr_ok(&h, 30000, BIT(VIRTIO_NET_F_CSUM)));
	h.gso_size = 0;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 30000, all));
	h.gso_size = 1448;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 30000, all)); /* HOST_ECN not offered */
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 30000, all));
	h.gso_type = 0x42;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 30000, all));
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	ck_assert(virtio_net_tx_hdr_ok(&h, 30000, all));
	h.flags = 0;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 30000, all)); /* GSO needs csum */
	h.gso_type = 0;
	h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 60, all));
	h.flags = 0x80;
	ck_assert(!virtio_net_tx_hdr_ok(&h, 60, all));
}
END_TEST

START_TEST(test_offload_mapping)
{
	ck_assert_uint_eq(virtio_net_tap_offloads(0), 0);
	ck_assert_uint_eq(virtio_net_tap_offloads(BIT(VIRTIO_NET_F_GUEST_CSUM)),
			  TAP_OFFLOAD_CSUM);
	ck_assert_uint_eq(virtio_net_tap_offloads(BIT(VIRTIO_NET_F_GUEST_TSO4)),
			  0); /* TSO without checksum offload is refused */
	ck_assert_uint_eq(virtio_net_tap_offloads(BIT(VIRTIO_NET_F_GUEST_CSUM) |
						  BIT(VIRTIO_NET_F_GUEST_TSO4) |
						  BIT(VIRTIO_NET_F_GUEST_TSO6)),
			  0x7);
	ck_assert_uint_eq(virtio_net_tap_offloads(BIT(VIRTIO_NET_F_GUEST_CSUM) |
						  BIT(VIRTIO_NET_F_GUEST_ECN)),
			  TAP_OFFLOAD_CSUM);
}
END_TEST

/* ---- the device ---- */

START_TEST(test_config_space)
{
	uint8_t cfg[10];

	driver_init(BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS));
	for (unsigned int i = 0; i < sizeof(cfg); i++)
		bus_read(&F.host.bus, F.host.base + VIRTIO_MMIO_CONFIG + i,
			 &cfg[i], 1);
	ck_assert_mem_eq(cfg, ((uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34,
					    0x56 }), 6);
	ck_assert_uint_eq(cfg[6] | cfg[7] << 8, VIRTIO_NET_S_LINK_UP);
	ck_assert(F.features & BIT(VIRTIO_NET_F_MAC));
}
END_TEST

/* The firmware's way: GUEST_CSUM only, 2-descriptor chains. */
START_TEST(test_rx_two_descriptor_chain)
{
	uint8_t frame[1042], hdr[HDR] = { VIRTIO_NET_HDR_F_DATA_VALID };
	const uint64_t small = BUF_BASE, big = BUF_BASE + 0x1000;
	struct fake_seg s[2] = { { small, 12 + 42 + 4, true }, { big, 1024, true } };
	struct vring_used_elem e;
	uint16_t head;

	driver_init(BIT(VIRTIO_NET_F_GUEST_CSUM) | BIT(VIRTIO_NET_F_MAC));
	memset(gpa(small), 0xee, 0x3000);
	head = post(VIRTIO_NET_RXQ, s, 2);
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, sizeof(frame), 1);
	net_send(hdr, frame, sizeof(frame));
	ck_assert(wait_used(VIRTIO_NET_RXQ, 1));
	e = used_elem(VIRTIO_NET_RXQ, 0);
	ck_assert_uint_eq(e.id, head);
	ck_assert_uint_eq(e.len, HDR + sizeof(frame));
	ck_assert_uint_eq(((uint8_t *)gpa(small))[0], VIRTIO_NET_HDR_F_DATA_VALID);
	/* num_buffers is 1 */
	ck_assert_uint_eq(*(uint16_t *)gpa(small + 10), 1);
	/* Ethernet/IP/UDP/TFTP headers (46 bytes) in the small buffer... */
	ck_assert_mem_eq(gpa(small + HDR), frame, 46);
	/* ...the payload lands in place in the big one. */
	ck_assert_mem_eq(gpa(big), frame + 46, sizeof(frame) - 46);
	ck_assert_uint_eq(((uint8_t *)gpa(big))[sizeof(frame) - 46], 0xee);
	ck_assert_uint_eq(stats().rx_packets, 1);
	ck_assert_uint_eq(stats().rx_bytes, sizeof(frame));
	/* An interrupt was raised. */
	uint64_t n;

	ck_assert_int_eq(read(F.host.irq_fd, &n, sizeof(n)), sizeof(n));
	ck_assert_uint_ge(n, 1);
	ck_assert(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING);
}
END_TEST

/* Without MRG_RXBUF a packet bigger than the chain is dropped and the
 * chain serves the next packet. */
START_TEST(test_rx_too_big_dropped)
{
	uint8_t frame[1000];
	struct fake_seg s = { BUF_BASE, 12 + 200, true };

	driver_init(BIT(VIRTIO_NET_F_MAC));
	post(VIRTIO_NET_RXQ, &s, 1);
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, sizeof(frame), 2);
	net_send(NULL, frame, sizeof(frame));	/* too big */
	net_send(NULL, frame, 200);		/* exactly fits */
	ck_assert(wait_used(VIRTIO_NET_RXQ, 1));
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 0).len, 12 + 200);
	ck_assert_mem_eq(gpa(BUF_BASE + HDR), frame, 200);
	ck_assert_uint_eq(stats().rx_drops, 1);
	ck_assert_uint_eq(stats().rx_packets, 1);
}
END_TEST

START_TEST(test_rx_mergeable)
{
	uint8_t frame[700];
	struct fake_seg s;

	driver_init(BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_NET_F_GUEST_CSUM));
	ck_assert(F.features & BIT(VIRTIO_NET_F_MRG_RXBUF));
	for (unsigned int i = 0; i < 4; i++) {
		s = (struct fake_seg){ BUF_BASE + i * 0x1000, 256, true };
		post(VIRTIO_NET_RXQ, &s, 1);
	}
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, sizeof(frame), 3);
	net_send(NULL, frame, sizeof(frame));
	ck_assert(wait_used(VIRTIO_NET_RXQ, 3));
	settle();
	ck_assert_uint_eq(used_idx(VIRTIO_NET_RXQ), 3);
	ck_assert_uint_eq(*(uint16_t *)gpa(BUF_BASE + 10), 3);
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 0).len, 256);
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 1).len, 256);
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 2).len, 12 + 700 - 512);
	ck_assert_mem_eq(gpa(BUF_BASE + HDR), frame, 244);
	ck_assert_mem_eq(gpa(BUF_BASE + 0x1000), frame + 244, 256);
	ck_assert_mem_eq(gpa(BUF_BASE + 0x2000), frame + 500, 200);
	/* A small packet then takes one buffer with num_buffers 1. */
	net_send(NULL, frame, 100);
	ck_assert(wait_used(VIRTIO_NET_RXQ, 4));
	ck_assert_uint_eq(*(uint16_t *)gpa(BUF_BASE + 0x3000 + 10), 1);
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 3).len, 112);
}
END_TEST

/* A mergeable packet waits (unpublished) for more buffers, no spinning. */
START_TEST(test_rx_mergeable_waits_for_buffers)
{
	uint8_t frame[700];
	struct fake_seg s = { BUF_BASE, 256, true };

	driver_init(BIT(VIRTIO_NET_F_MRG_RXBUF));
	post(VIRTIO_NET_RXQ, &s, 1);
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, sizeof(frame), 4);
	net_send(NULL, frame, sizeof(frame));
	settle();
	ck_assert_uint_eq(used_idx(VIRTIO_NET_RXQ), 0);
	for (unsigned int i = 1; i < 3; i++) {
		s = (struct fake_seg){ BUF_BASE + i * 0x1000, 256, true };
		post(VIRTIO_NET_RXQ, &s, 1);
	}
	kick(VIRTIO_NET_RXQ);
	ck_assert(wait_used(VIRTIO_NET_RXQ, 3));
	ck_assert_uint_eq(*(uint16_t *)gpa(BUF_BASE + 10), 3);
	ck_assert_mem_eq(gpa(BUF_BASE + 0x2000), frame + 500, 200);
	ck_assert_uint_eq(stats().rx_drops, 0);
}
END_TEST

/* CPU time of this process in microseconds. */
static long cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* No RX buffers: packets wait in the TAP, the device does not spin. */
START_TEST(test_rx_no_buffers_no_spin)
{
	uint8_t frame[300];
	struct fake_seg s = { BUF_BASE, 2048, true };
	long t0;

	driver_init(BIT(VIRTIO_NET_F_MAC));
	make_frame(frame, sizeof(frame), 5);
	net_send(NULL, frame, sizeof(frame));
	settle();
	t0 = cpu_us();
	usleep(300000);
	ck_assert_int_lt(cpu_us() - t0, 30000); /* < 10% of one CPU */
	ck_assert_uint_eq(used_idx(VIRTIO_NET_RXQ), 0);
	post(VIRTIO_NET_RXQ, &s, 1);
	kick(VIRTIO_NET_RXQ);
	ck_assert(wait_used(VIRTIO_NET_RXQ, 1));
	ck_assert_mem_eq(gpa(BUF_BASE + HDR), frame, sizeof(frame));
	ck_assert_uint_eq(stats().rx_drops, 0);
}
END_TEST

/* RX buffers the device cannot use are returned empty, counted. */
START_TEST(test_rx_hostile_chains)
{
	uint8_t frame[100];
	struct fake_seg readable = { BUF_BASE, 2048, false };
	struct fake_seg tiny = { BUF_BASE + 0x1000, 8, true };
	struct fake_seg good = { BUF_BASE + 0x2000, 2048, true };

	driver_init(0);
	post(VIRTIO_NET_RXQ, &readable, 1);
	post(VIRTIO_NET_RXQ, &tiny, 1);
	post(VIRTIO_NET_RXQ, &good, 1);
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, sizeof(frame), 6);
	net_send(NULL, frame, sizeof(frame));
	ck_assert(wait_used(VIRTIO_NET_RXQ, 3));
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 0).len, 0);
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 1).len, 0);
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 2).len, 112);
	ck_assert_uint_eq(stats().rx_errors, 2);
	ck_assert_uint_eq(stats().rx_packets, 1);
}
END_TEST

/* A GSO packet for a guest that did not negotiate GUEST_TSO4 (a stale one
 * after a renegotiation) is dropped, not handed over. */
START_TEST(test_rx_offload_not_negotiated)
{
	uint8_t frame[100];
	uint8_t gso[HDR] = { VIRTIO_NET_HDR_F_NEEDS_CSUM,
			     VIRTIO_NET_HDR_GSO_TCPV4 };
	struct fake_seg s = { BUF_BASE, 2048, true };

	driver_init(BIT(VIRTIO_NET_F_GUEST_CSUM));
	post(VIRTIO_NET_RXQ, &s, 1);
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, sizeof(frame), 7);
	net_send(gso, frame, sizeof(frame));
	net_send(NULL, frame, 60);
	ck_assert(wait_used(VIRTIO_NET_RXQ, 1));
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 0).len, 72);
	ck_assert_uint_eq(stats().rx_drops, 1);
}
END_TEST

/* Without GUEST_CSUM the guest sees flags 0, even if the TAP verified
 * the checksum (DATA_VALID); with it, the flag is passed on. */
START_TEST(test_rx_flags_without_guest_csum)
{
	uint8_t frame[100], valid[HDR] = { VIRTIO_NET_HDR_F_DATA_VALID };
	struct fake_seg s = { BUF_BASE, 2048, true };

	driver_init(BIT(VIRTIO_NET_F_MAC));
	post(VIRTIO_NET_RXQ, &s, 1);
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, sizeof(frame), 13);
	net_send(valid, frame, sizeof(frame));
	ck_assert(wait_used(VIRTIO_NET_RXQ, 1));
	ck_assert_uint_eq(((uint8_t *)gpa(BUF_BASE))[0], 0);
	ck_assert_mem_eq(gpa(BUF_BASE + HDR), frame, sizeof(frame));

	driver_init(BIT(VIRTIO_NET_F_GUEST_CSUM));
	post(VIRTIO_NET_RXQ, &s, 1);
	kick(VIRTIO_NET_RXQ);
	net_send(valid, frame, sizeof(frame));
	ck_assert(wait_used(VIRTIO_NET_RXQ, 1));
	ck_assert_uint_eq(((uint8_t *)gpa(BUF_BASE))[0],
			  VIRTIO_NET_HDR_F_DATA_VALID);
}
END_TEST

START_TEST(test_tx_basic)
{
	uint8_t frame[900], got[2000];
	struct virtio_net_hdr_v1 h = { .num_buffers = 0x5555 };
	struct fake_seg s[3] = {
		{ BUF_BASE, HDR, false },
		{ BUF_BASE + 0x1000, 100, false },
		{ BUF_BASE + 0x2000, 800, false },
	};

	driver_init(BIT(VIRTIO_NET_F_MAC));
	make_frame(frame, sizeof(frame), 8);
	memcpy(gpa(BUF_BASE), &h, HDR);
	memcpy(gpa(BUF_BASE + 0x1000), frame, 100);
	memcpy(gpa(BUF_BASE + 0x2000), frame + 100, 800);
	post(VIRTIO_NET_TXQ, s, 3);
	kick(VIRTIO_NET_TXQ);
	ck_assert_int_eq(net_recv(got, sizeof(got), 10000), HDR + 900);
	ck_assert_mem_eq(got + HDR, frame, 900);
	ck_assert_uint_eq(got[10] | got[11] << 8, 0); /* not the guest's */
	ck_assert(wait_used(VIRTIO_NET_TXQ, 1));
	ck_assert_uint_eq(stats().tx_packets, 1);
	ck_assert_uint_eq(stats().tx_bytes, 900);
	/* Header and frame in one descriptor works as well. */
	memcpy(gpa(BUF_BASE + 0x3000), &h, HDR);
	memcpy(gpa(BUF_BASE + 0x3000 + HDR), frame, 60);
	s[0] = (struct fake_seg){ BUF_BASE + 0x3000, HDR + 60, false };
	post(VIRTIO_NET_TXQ, s, 1);
	kick(VIRTIO_NET_TXQ);
	ck_assert_int_eq(net_recv(got, sizeof(got), 10000), HDR + 60);
	ck_assert_mem_eq(got + HDR, frame, 60);
}
END_TEST

/* Chains a hostile guest may build: each is dropped with an error and
 * handed back; a good packet afterwards still goes out. */
START_TEST(test_tx_hostile_chains)
{
	uint8_t frame[100], got[2000];
	struct virtio_net_hdr_v1 csum = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					  .csum_start = 34, .csum_offset = 6 };
	struct virtio_net_hdr_v1 tso = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					 .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
					 .gso_size = 1448, .csum_start = 34,
					 .csum_offset = 16 };
	const uint64_t h_ok = BUF_BASE, h_csum = BUF_BASE + 0x100,
		       h_tso = BUF_BASE + 0x200, body = BUF_BASE + 0x1000;
	struct fake_seg s[3];
	uint16_t n = 0;

	driver_init(BIT(VIRTIO_NET_F_MAC));	/* no CSUM, no HOST_TSO */
	make_frame(frame, sizeof(frame), 9);
	memset(gpa(h_ok), 0, HDR);
	memcpy(gpa(h_csum), &csum, HDR);
	memcpy(gpa(h_tso), &tso, HDR);
	memcpy(gpa(body), frame, sizeof(frame));

	/* shorter than the header */
	s[0] = (struct fake_seg){ h_ok, 8, false };
	post(VIRTIO_NET_TXQ, s, 1), n++;
	/* header only, no Ethernet header */
	s[0] = (struct fake_seg){ h_ok, HDR + 4, false };
	post(VIRTIO_NET_TXQ, s, 1), n++;
	/* a device-writable descriptor in a TX chain */
	s[0] = (struct fake_seg){ h_ok, HDR, false };
	s[1] = (struct fake_seg){ body, 100, true };
	post(VIRTIO_NET_TXQ, s, 2), n++;
	/* > 64 KiB + header: descriptors may all point at the same bytes */
	s[0] = (struct fake_seg){ h_ok, HDR, false };
	s[1] = (struct fake_seg){ body, 40000, false };
	s[2] = (struct fake_seg){ body, 40000, false };
	post(VIRTIO_NET_TXQ, s, 3), n++;
	/* checksum offload the guest did not negotiate */
	s[0] = (struct fake_seg){ h_csum, HDR, false };
	s[1] = (struct fake_seg){ body, 100, false };
	post(VIRTIO_NET_TXQ, s, 2), n++;
	/* TSO the guest did not negotiate */
	s[0] = (struct fake_seg){ h_tso, HDR, false };
	post(VIRTIO_NET_TXQ, s, 2), n++;
	/* and a good one */
	s[0] = (struct fake_seg){ h_ok, HDR, false };
	post(VIRTIO_NET_TXQ, s, 2), n++;
	kick(VIRTIO_NET_TXQ);
	ck_assert(wait_used(VIRTIO_NET_TXQ, n));
	ck_assert_int_eq(net_recv(got, sizeof(got), 10000), HDR + 100);
	ck_assert_mem_eq(got + HDR, frame, 100);
	ck_assert_int_eq(net_recv(got, sizeof(got), 50), -1);
	ck_assert_uint_eq(stats().tx_errors, n - 1);
	ck_assert_uint_eq(stats().tx_packets, 1);
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET));
}
END_TEST

/* A buffer outside guest RAM breaks the ring: error, NEEDS_RESET, the
 * device stays up and works again after the driver resets it. */
START_TEST(test_tx_out_of_range_address)
{
	uint8_t frame[100], got[2000];
	struct fake_seg s[2] = { { BUF_BASE, HDR, false },
			    { MEM_SIZE - 50, 100, false } };

	driver_init(BIT(VIRTIO_NET_F_MAC));
	memset(gpa(BUF_BASE), 0, HDR);
	post(VIRTIO_NET_TXQ, s, 2);
	kick(VIRTIO_NET_TXQ);
	for (int i = 0; i < 10000 && !stats().tx_errors; i++)
		usleep(1000);
	ck_assert_uint_eq(stats().tx_errors, 1);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_int_eq(net_recv(got, sizeof(got), 50), -1);

	driver_init(BIT(VIRTIO_NET_F_MAC));
	make_frame(frame, sizeof(frame), 10);
	memcpy(gpa(BUF_BASE + 0x1000), frame, sizeof(frame));
	s[1] = (struct fake_seg){ BUF_BASE + 0x1000, 100, false };
	post(VIRTIO_NET_TXQ, s, 2);
	kick(VIRTIO_NET_TXQ);
	ck_assert_int_eq(net_recv(got, sizeof(got), 10000), HDR + 100);
}
END_TEST

/* The peer does not read: TX waits (EAGAIN -> EPOLLOUT) and loses
 * nothing; as the peer reads, everything arrives in order.  (The
 * device's socket has a small SO_SNDBUF, see setup().) */
static void expect_tx_seq(int *seen)
{
	uint8_t got[2000];

	ck_assert_int_eq(net_recv(got, sizeof(got), 10000), HDR + 1500);
	ck_assert_uint_eq(got[HDR + 14], (uint8_t)*seen);
	(*seen)++;
}

START_TEST(test_tx_backpressure)
{
	uint8_t frame[1500];
	struct fake_seg s[2];
	int seen = 0, blocked = 0;
	const int total = 100;

	driver_init(BIT(VIRTIO_NET_F_MAC));
	memset(gpa(BUF_BASE), 0, HDR);
	for (int i = 0; i < total; i++) {
		uint64_t body = BUF_BASE + 0x1000 + (uint64_t)(i % QSIZE) * 0x800;

		/* 2 descriptors per chain: at most QSIZE / 2 in flight. */
		while (tx_in_flight() >=
		       QSIZE / 2) {
			settle();
			if (tx_in_flight() <
			    QSIZE / 2)
				continue;
			blocked++;	/* the device waits for the peer */
			do
				expect_tx_seq(&seen);
			while (seen < i && poll(&(struct pollfd){ .fd = F.peer,
					  .events = POLLIN }, 1, 0) == 1);
		}
		make_frame(frame, sizeof(frame), 0);
		frame[14] = (uint8_t)i;
		memcpy(gpa(body), frame, sizeof(frame));
		s[0] = (struct fake_seg){ BUF_BASE, HDR, false };
		s[1] = (struct fake_seg){ body, 1500, false };
		post(VIRTIO_NET_TXQ, s, 2);
		kick(VIRTIO_NET_TXQ);
	}
	while (seen < total)
		expect_tx_seq(&seen);
	ck_assert(wait_used(VIRTIO_NET_TXQ, total));
	ck_assert_int_gt(blocked, 0);
	ck_assert_uint_eq(stats().tx_packets, total);
	ck_assert_uint_eq(stats().tx_drops, 0);
	ck_assert_uint_eq(stats().tx_errors, 0);
}
END_TEST

/* Traffic both ways with EVENT_IDX negotiated. */
START_TEST(test_event_idx_round_trip)
{
	uint8_t frame[200], got[400];
	struct fake_seg s[2];

	driver_init(BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_NET_F_MAC));
	ck_assert(F.features & BIT(VIRTIO_RING_F_EVENT_IDX));
	for (int round = 0; round < 40; round++) {
		s[0] = (struct fake_seg){ BUF_BASE + 0x1000 * (round % 4), 2048,
				     true };
		post(VIRTIO_NET_RXQ, s, 1);
		kick(VIRTIO_NET_RXQ);
		make_frame(frame, sizeof(frame), (uint8_t)round);
		net_send(NULL, frame, sizeof(frame));
		ck_assert(wait_used(VIRTIO_NET_RXQ, (uint16_t)(round + 1)));
		ck_assert_mem_eq(gpa(BUF_BASE + 0x1000 * (round % 4) + HDR),
				 frame, sizeof(frame));

		memset(gpa(BUF_BASE + 0x8000), 0, HDR);
		memcpy(gpa(BUF_BASE + 0x9000), frame, sizeof(frame));
		s[0] = (struct fake_seg){ BUF_BASE + 0x8000, HDR, false };
		s[1] = (struct fake_seg){ BUF_BASE + 0x9000, sizeof(frame), false };
		post(VIRTIO_NET_TXQ, s, 2);
		kick(VIRTIO_NET_TXQ);
		ck_assert_int_eq(net_recv(got, sizeof(got), 10000),
				 HDR + sizeof(frame));
	}
	ck_assert_uint_eq(stats().rx_packets, 40);
	ck_assert_uint_eq(stats().tx_packets, 40);
}
END_TEST

/* The back-end goes away (EPOLLHUP): the device stops polling it rather
 * than spin, and packets the guest sends are dropped, not stuck. */
START_TEST(test_backend_gone)
{
	uint8_t frame[100];
	struct fake_seg s[2] = { { BUF_BASE, HDR, false },
			    { BUF_BASE + 0x1000, sizeof(frame), false } };
	long t0;

	signal(SIGPIPE, SIG_IGN);	/* a socket, unlike a TAP, raises it */
	driver_init(BIT(VIRTIO_NET_F_MAC));
	close(F.peer);
	F.peer = -1;
	settle();
	t0 = cpu_us();
	usleep(300000);
	ck_assert_int_lt(cpu_us() - t0, 30000);
	memset(gpa(BUF_BASE), 0, HDR);
	make_frame(frame, sizeof(frame), 14);
	memcpy(gpa(BUF_BASE + 0x1000), frame, sizeof(frame));
	post(VIRTIO_NET_TXQ, s, 2);
	kick(VIRTIO_NET_TXQ);
	ck_assert(wait_used(VIRTIO_NET_TXQ, 1));
	ck_assert_uint_eq(stats().tx_drops, 1);
	ck_assert_uint_eq(stats().tx_packets, 0);
}
END_TEST

START_TEST(test_reset_stops_device)
{
	uint8_t frame[100];
	struct fake_seg s = { BUF_BASE, 2048, true };

	driver_init(0);
	post(VIRTIO_NET_RXQ, &s, 1);
	kick(VIRTIO_NET_RXQ);
	wr(VIRTIO_MMIO_STATUS, 0);
	make_frame(frame, sizeof(frame), 11);
	net_send(NULL, frame, sizeof(frame));
	settle();
	ck_assert_uint_eq(used_idx(VIRTIO_NET_RXQ), 0);
	/* After a new negotiation the waiting packet is delivered. */
	driver_init(0);
	post(VIRTIO_NET_RXQ, &s, 1);
	kick(VIRTIO_NET_RXQ);
	ck_assert(wait_used(VIRTIO_NET_RXQ, 1));
}
END_TEST

START_TEST(test_print_stats)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	virtio_net_print_stats(F.net, f);
	fclose(f);
	ck_assert_str_eq(buf,
		"net net0: rx packets=0 bytes=0 drops=0 errors=0, tx packets=0 bytes=0 drops=0 errors=0\n");
	free(buf);
}
END_TEST

/* ---- the same device on a real TAP (root: private netns) ---- */

static void write_file(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(v, f);
		fclose(f);
	}
}

/*
 * Device on TAP mvta, the test talks through TAP mvtb; both on bridge
 * mvtbr.  Checks real tun semantics: where the TAP puts the 10 header
 * bytes, num_buffers written by us, oversize packets caught.
 */
static bool real_tap_setup(struct tap *b)
{
	struct tap a;
	int s;
	struct ifreq ifr;
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "real TAP test skipped (needs root, netns)\n");
		return false;
	}
	/* No IPv6 chatter (router solicitations, MLD) on the bridge. */
	write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_eq(ioctl(s, SIOCBRADDBR, "mvtbr"), 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "mvtbr");
	ck_assert_int_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
	ck_assert_msg(tap_open(&a, "mvta", "mvtbr", err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(tap_open(b, "mvtb", "mvtbr", err, sizeof(err)) == 0, "%s", err);

	memset(&F, 0, sizeof(F));
	fake_virtio_host_init(&F.host, MEM_SIZE, 0);
	F.peer = b->fd;
	ck_assert_msg(virtio_net_create_on_fd(&F.net, &F.host.ops, &F.host.mem, FAKE_WINDOW(0),
					      dup(a.fd), mac, err, sizeof(err)) == 0,
		      "%s", err);
	tap_close(&a);	/* the device's fd keeps mvta alive */
	ck_assert_int_eq(virtio_net_start(F.net, NULL), 0);
	usleep(100000);	/* bridge ports forwarding */
	return true;
}

START_TEST(test_real_tap_both_ways)
{
	struct tap b;
	uint8_t frame[1042], got[2000], huge[12 + 1200] = { 0 };
	struct fake_seg s[2];
	int found = -1;

	if (!real_tap_setup(&b))
		return;
	driver_init(BIT(VIRTIO_NET_F_GUEST_CSUM));
	/* The kernel may send its own frames (IGMP) too: 4 chains. */
	for (unsigned int i = 0; i < 4; i++) {
		s[0] = (struct fake_seg){ BUF_BASE + i * 0x2000, 12 + 46, true };
		s[1] = (struct fake_seg){ BUF_BASE + i * 0x2000 + 0x1000, 1024,
				     true };
		post(VIRTIO_NET_RXQ, s, 2);
	}
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, sizeof(frame), 12);
	memcpy(frame + 6, "\x02\0\0\0\0\x01", 6);
	/* too big for a chain: dropped */
	memcpy(huge + 12, frame, 14);
	ck_assert_int_eq(write(b.fd, huge, sizeof(huge)), sizeof(huge));
	net_send(NULL, frame, sizeof(frame));
	for (uint16_t u = 0; u < 4 && found < 0; u++) {
		ck_assert(wait_used(VIRTIO_NET_RXQ, u + 1));
		if (used_elem(VIRTIO_NET_RXQ, u).len == HDR + sizeof(frame))
			found = used_elem(VIRTIO_NET_RXQ, u).id / 2;
	}
	ck_assert_int_ge(found, 0);
	uint64_t small = BUF_BASE + found * 0x2000, big = small + 0x1000;

	ck_assert_uint_eq(*(uint16_t *)gpa(small + 10), 1);
	ck_assert_mem_eq(gpa(small + HDR), frame, 46);
	ck_assert_mem_eq(gpa(big), frame + 46, sizeof(frame) - 46);
	ck_assert_uint_ge(stats().rx_drops, 1);

	/* TX: guest -> mvta -> bridge -> mvtb */
	memset(gpa(BUF_BASE + 0x8000), 0, HDR);
	memcpy(gpa(BUF_BASE + 0x9000), frame, 300);
	s[0] = (struct fake_seg){ BUF_BASE + 0x8000, HDR, false };
	s[1] = (struct fake_seg){ BUF_BASE + 0x9000, 300, false };
	post(VIRTIO_NET_TXQ, s, 2);
	kick(VIRTIO_NET_TXQ);
	for (;;) {
		ssize_t n = net_recv(got, sizeof(got), 10000);

		ck_assert_int_gt(n, 0);
		if (n == HDR + 300 && !memcmp(got + HDR, frame, 300))
			break;
	}
	virtio_net_destroy(F.net);
	tap_close(&b);
	fake_virtio_host_free(&F.host);
}
END_TEST

/*
 * Snapshots: saved while a TX chain waits for a full TAP and a mergeable
 * RX packet waits for buffers, then loaded into a second device on the
 * same guest memory (the restored RAM) and another socket (another TAP):
 * every TX frame reaches one socket or the other exactly once, and the
 * RX chain the first device held comes back used and empty.
 */
START_TEST(test_snapshot_pending_tx_held_rx)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct fake_virtio_host h2;
	struct virtio_net *net2;
	struct state_writer w;
	struct state_reader r;
	uint8_t frame[1500], got[2000];
	struct fake_seg s[2];
	int seen[QSIZE] = { 0 }, sv[2];
	const int total = QSIZE;
	ssize_t n;

	driver_init(BIT(VIRTIO_NET_F_MRG_RXBUF));
	/* RX: one 256-byte buffer for a 700-byte packet: held, unpublished. */
	s[0] = (struct fake_seg){ BUF_BASE, 256, true };
	post(VIRTIO_NET_RXQ, s, 1);
	kick(VIRTIO_NET_RXQ);
	make_frame(frame, 700, 1);
	net_send(NULL, frame, 700);
	/* TX: more frames than the socket takes (header and frame in one
	 * descriptor); nobody reads it. */
	for (int i = 0; i < total; i++) {
		uint64_t body = BUF_BASE + 0x10000 + (uint64_t)i * 0x800;

		make_frame(frame, sizeof(frame), 0);
		frame[14] = (uint8_t)i;
		memset(gpa(body), 0, HDR);
		memcpy(gpa(body + HDR), frame, sizeof(frame));
		s[0] = (struct fake_seg){ body, HDR + 1500, false };
		post(VIRTIO_NET_TXQ, s, 1);
	}
	kick(VIRTIO_NET_TXQ);
	settle();
	ck_assert_uint_eq(used_idx(VIRTIO_NET_RXQ), 0);
	ck_assert_uint_gt(tx_in_flight(), 0);
	ck_assert_uint_lt(tx_in_flight(), total);

	virtio_net_quiesce(F.net);
	state_writer_init(&w);
	virtio_net_save(F.net, &w);
	ck_assert(!w.bad);
	virtio_net_stop(F.net);
	/* What the first device sent before the save. */
	while ((n = net_recv(got, sizeof(got), 0)) > 0) {
		ck_assert_int_eq(n, HDR + 1500);
		seen[got[HDR + 14]]++;
	}

	fake_virtio_host_init(&h2, 0, 1);
	h2.mem = F.host.mem;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_msg(virtio_net_create_on_fd(&net2, &h2.ops, &h2.mem,
					      FAKE_WINDOW(1), sv[0], mac, err,
					      sizeof(err)) == 0, "%s", err);
	state_reader_init(&r, w.buf, w.len);
	ck_assert_int_eq(virtio_net_load(net2, &r), 0);
	/* The held RX chain is back at once, empty. */
	ck_assert_uint_eq(used_idx(VIRTIO_NET_RXQ), 1);
	ck_assert_uint_eq(used_elem(VIRTIO_NET_RXQ, 0).len, 0);
	ck_assert_int_eq(virtio_net_start(net2, NULL), 0);
	ck_assert(wait_used(VIRTIO_NET_TXQ, total));
	for (;;) {
		struct pollfd p = { .fd = sv[1], .events = POLLIN };

		if (poll(&p, 1, 200) != 1)
			break;
		ck_assert_int_eq(read(sv[1], got, sizeof(got)), HDR + 1500);
		seen[got[HDR + 14]]++;
	}
	for (int i = 0; i < total; i++)
		ck_assert_msg(seen[i] == 1, "frame %d sent %d times", i, seen[i]);
	ck_assert_uint_eq(used_idx(VIRTIO_NET_RXQ), 1);

	/* A malformed state: a held RX head outside the ring. */
	virtio_net_destroy(net2);
	close(sv[1]);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_msg(virtio_net_create_on_fd(&net2, &h2.ops, &h2.mem,
					      FAKE_WINDOW(2), sv[0], mac, err,
					      sizeof(err)) == 0, "%s", err);
	w.buf[1] = 1;		/* one held chain ... */
	w.buf[3] = 0xff;	/* ... with head 0x??ff >= the ring size */
	w.buf[4] = 0xff;
	state_reader_init(&r, w.buf, w.len);
	ck_assert_int_eq(virtio_net_load(net2, &r), -EINVAL);
	virtio_net_destroy(net2);
	close(sv[1]);
	state_writer_free(&w);
}
END_TEST

static Suite *virtio_net_suite(void)
{
	Suite *s = suite_create("virtio_net");
	TCase *pure = tcase_create("pure");
	TCase *dev = tcase_create("device");
	TCase *real = tcase_create("real_tap");

	tcase_add_test(pure, test_tx_hdr_rules);
	tcase_add_test(pure, test_offload_mapping);
	suite_add_tcase(s, pure);

	tcase_add_checked_fixture(dev, setup, teardown);
	tcase_add_test(dev, test_config_space);
	tcase_add_test(dev, test_rx_two_descriptor_chain);
	tcase_add_test(dev, test_rx_too_big_dropped);
	tcase_add_test(dev, test_rx_mergeable);
	tcase_add_test(dev, test_rx_mergeable_waits_for_buffers);
	tcase_add_test(dev, test_rx_no_buffers_no_spin);
	tcase_add_test(dev, test_rx_hostile_chains);
	tcase_add_test(dev, test_rx_offload_not_negotiated);
	tcase_add_test(dev, test_rx_flags_without_guest_csum);
	tcase_add_test(dev, test_tx_basic);
	tcase_add_test(dev, test_tx_hostile_chains);
	tcase_add_test(dev, test_tx_out_of_range_address);
	tcase_add_test(dev, test_tx_backpressure);
	tcase_add_test(dev, test_event_idx_round_trip);
	tcase_add_test(dev, test_backend_gone);
	tcase_add_test(dev, test_reset_stops_device);
	tcase_add_test(dev, test_print_stats);
	tcase_add_test(dev, test_snapshot_pending_tx_held_rx);
	suite_add_tcase(s, dev);
	tcase_add_test(real, test_real_tap_both_ways);
	suite_add_tcase(s, real);
	return s;
}

int main(void)
{
	return unit_run_suite(virtio_net_suite());
}
