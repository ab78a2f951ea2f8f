// SPDX-License-Identifier: MIT
/*
 * IPv4 host for the firmware: ARP answers and lookups, UDP in and out.
 * Frames are parsed with the shared net/inet.c code.
 */
#include "boot/firmware/io.h"
#include "boot/firmware/net.h"
#include "boot/firmware/timer.h"

#define NET_KICK_MS	50
/* Packets handled between two clock reads while the ring is never empty:
 * a deadline is late by at most this many packets' handling. */
#define NET_CLOCK_EVERY	16
#define NET_ARP_REFRESH_MS	200

static const uint8_t *net_arp_lookup(const struct net *n, uint32_t ip)
{
	for (unsigned int i = 0; i < NET_ARP_CACHE; i++)
		if (n->arp[i].ip == ip && ip)
			return n->arp[i].mac;
	return 0;
}

void net_arp_learn(struct net *n, uint32_t ip, const uint8_t mac[6])
{
	unsigned int i;

	if (!ip)
		return;
	for (i = 0; i < NET_ARP_CACHE; i++)
		if (n->arp[i].ip == ip)
			break;
	if (i == NET_ARP_CACHE) {
		i = n->arp_next;
		n->arp_next = (n->arp_next + 1) % NET_ARP_CACHE;
	}
	n->arp[i].ip = ip;
	__builtin_memcpy(n->arp[i].mac, mac, 6);
	n->arp_learned++;
}

uint32_t net_next_hop(const struct net *n, uint32_t ip)
{
	if (!n->netmask || ((ip ^ n->ip) & n->netmask) == 0 || !n->gateway)
		return ip;
	return n->gateway;
}

uint8_t *net_udp_payload(struct net *n)
{
	return vnet_tx_frame(n->vnet) + INET_UDP_HLEN;
}

size_t net_udp_frame(struct net *n, uint8_t *frame, size_t cap,
		     uint32_t dst_ip, uint16_t sport, uint16_t dport,
		     size_t len)
{
	const uint8_t *mac = dst_ip == 0xffffffffu ? inet_broadcast_mac :
			     net_arp_lookup(n, net_next_hop(n, dst_ip));
	struct inet_udp_addr a = {
		.src_mac = n->vnet->mac, .dst_mac = mac,
		.src_ip = n->ip, .dst_ip = dst_ip,
		.src_port = sport, .dst_port = dport, .ip_id = n->ip_id++,
	};

	if (!mac)
		return 0;
	return inet_udp_build(frame, cap, &a, len);
}

void net_send_frame(struct net *n, const uint8_t *frame, size_t len)
{
	__builtin_memcpy(vnet_tx_frame(n->vnet), frame, len);
	vnet_tx_send(n->vnet, len);
}

bool net_udp_send(struct net *n, uint32_t dst_ip, uint16_t sport,
		  uint16_t dport, size_t len)
{
	size_t flen = net_udp_frame(n, vnet_tx_frame(n->vnet), ETH_FRAME_MAX,
				    dst_ip, sport, dport, len);

	if (!flen)
		return false;
	vnet_tx_send(n->vnet, flen);
	return true;
}

static void net_arp_send(struct net *n, uint16_t op, const uint8_t *dst_mac,
			 uint32_t tpa, const uint8_t *tha)
{
	struct inet_arp a = { .op = op, .spa = n->ip, .tpa = tpa };
	size_t len;

	__builtin_memcpy(a.sha, n->vnet->mac, 6);
	__builtin_memcpy(a.tha, tha, 6);
	len = inet_arp_build(vnet_tx_frame(n->vnet), ETH_FRAME_MAX, dst_mac, &a);
	if (len)
		vnet_tx_send(n->vnet, len < 60 ? 60 : len);	/* min frame */
}

static void net_arp_input(struct net *n, struct vnet_packet *p)
{
	struct inet_arp a;

	vnet_rx_linearize(n->vnet, p);
	if (inet_arp_parse(p->frame, p->frame_len, &a) != INET_OK)
		return;
	if (!n->ip)
		return;
	if (a.op == ARP_OP_REPLY && a.tpa == n->ip)
		net_arp_learn(n, a.spa, a.sha);
	if (a.op == ARP_OP_REQUEST && a.tpa == n->ip) {
		net_arp_learn(n, a.spa, a.sha);
		net_arp_send(n, ARP_OP_REPLY, a.sha, a.spa, a.sha);
	}
}

/* UDP checksum of a contiguous frame unless the device vouched for it. */
static bool net_udp_csum_ok(struct vnet_packet *p, const struct inet_udp *u)
{
	return p->csum_ok || inet_udp_csum_ok(p->frame, u);
}

/* A closed port on the server we talk to: no use waiting for it. */
static bool net_port_closed(const struct net *n, const struct vnet_packet *p)
{
	struct inet_icmp_unreach r;

	if (!n->watch_port || !n->ip)
		return false;
	if (inet_icmp_unreach_parse(p->frame, p->frame_len, &r) != INET_OK)
		return false;
	return r.orig_src_port == n->watch_port &&
	       r.orig_dst_ip == n->watch_ip;
}

/*
 * The clock side of net_run: apply a re-arm, check both deadlines.  True
 * when the caller's deadline has passed.
 */
static bool net_clock(struct net *n, uint64_t now, uint64_t *deadline_ms)
{
	if (n->rearm_ms) {
		*deadline_ms = now + n->rearm_ms;
		n->rearm_ms = 0;
	}
	if (n->end_ms && now >= n->end_ms && n->expired)
		n->expired(n);
	return now >= *deadline_ms;
}

/* One received frame: ARP answered, UDP handed to fn. */
static int net_input(struct net *n, struct vnet_packet *p, net_udp_fn fn,
		     void *ctx)
{
	struct inet_udp u;

	if (p->head_len >= ETH_HLEN && inet_get16(p->frame + 12) == ETH_P_ARP) {
		net_arp_input(n, p);
		return NET_CONTINUE;
	}
	if (inet_udp_parse(p->frame, p->head_len, p->frame_len, &u) != INET_OK) {
		/* IP options can push headers past the header part */
		vnet_rx_linearize(n->vnet, p);
		if (inet_udp_parse(p->frame, p->head_len, p->frame_len, &u) !=
		    INET_OK)
			return net_port_closed(n, p) ? NET_UNREACHABLE :
						       NET_CONTINUE;
	}
	if (n->ip && u.dst_ip != n->ip && u.dst_ip != 0xffffffffu)
		return NET_CONTINUE;
	if (p->head_len < p->frame_len &&
	    (u.dst_port != n->zc_port ||
	     u.payload_off != VNET_RX_HDR_PART - VNET_HDR_LEN - 4))
		vnet_rx_linearize(n->vnet, p);
	if (p->head_len == p->frame_len && !net_udp_csum_ok(p, &u))
		return NET_CONTINUE;
	return fn(ctx, n, p, &u);
}

int net_run(struct net *n, net_udp_fn fn, void *ctx, vnet_payload_fn fill,
	    void *fill_ctx, uint64_t *deadline_ms)
{
	struct vnet_packet p;
	uint64_t kick = timer_now_ms() + NET_KICK_MS;
	unsigned int unclocked = 0;
	uint64_t t0 = 0;		/* profiling: a frame's handling began */
	bool timing = false;
	int rc;

	for (;;) {
		vnet_rx_fill(n->vnet, fill, fill_ctx);
		/* A frame's cost runs from its poll to the refill after it;
		 * idle polls are not timed (rdtsc is a VM exit on some KVMs). */
		if (timing) {
			n->busy_tsc += rdtsc() - t0;
			timing = false;
		}
		if (!vnet_rx_poll(n->vnet, &p)) {
			uint64_t now = timer_now_ms();

			unclocked = 0;
			if (net_clock(n, now, deadline_ms))
				return NET_TIMEOUT;
			if (now >= kick) {
				/* A device that missed a notify gets another. */
				vnet_rx_kick(n->vnet);
				kick = now + NET_KICK_MS;
			}
			cpu_relax();
			continue;
		}
		if (n->profile) {
			t0 = rdtsc();
			timing = true;
		}
		rc = net_input(n, &p, fn, ctx);
		if (rc != NET_CONTINUE) {
			if (timing)
				n->busy_tsc += rdtsc() - t0;
			return rc;
		}
		/* Never idle under a flood: read the clock now and then. */
		if (++unclocked >= NET_CLOCK_EVERY) {
			unclocked = 0;
			if (net_clock(n, timer_now_ms(), deadline_ms))
				return NET_TIMEOUT;
		}
	}
}

static int net_arp_wait(void *ctx, struct net *n, struct vnet_packet *p,
			const struct inet_udp *u)
{
	(void)n;
	(void)p;
	(void)u;
	(void)ctx;
	return NET_CONTINUE;
}

bool net_arp_resolve(struct net *n, uint32_t ip)
{
	static const uint8_t zero[6];

	for (int tries = 0; tries < 4; tries++) {
		uint64_t end;

		if (net_arp_lookup(n, ip))
			return true;
		net_arp_send(n, ARP_OP_REQUEST, inet_broadcast_mac, ip, zero);
		end = timer_now_ms() + 500u * (1u << tries);
		while (!net_arp_lookup(n, ip) && timer_now_ms() < end) {
			uint64_t slice = timer_now_ms() + 10;

			net_run(n, net_arp_wait, 0, 0, 0, &slice);
		}
	}
	return net_arp_lookup(n, ip) != 0;
}

void net_arp_refresh(struct net *n, uint32_t ip)
{
	static const uint8_t zero[6];
	unsigned int learned = n->arp_learned;
	uint64_t end;

	net_arp_send(n, ARP_OP_REQUEST, inet_broadcast_mac, ip, zero);
	end = timer_now_ms() + NET_ARP_REFRESH_MS;
	while (n->arp_learned == learned && timer_now_ms() < end) {
		uint64_t slice = timer_now_ms() + 10;

		net_run(n, net_arp_wait, 0, 0, 0, &slice);
	}
}
