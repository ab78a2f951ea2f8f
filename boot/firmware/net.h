/* SPDX-License-Identifier: MIT */
/*
 * The firmware's IPv4 host: our address, ARP (answering and resolving),
 * UDP send, and the receive loop that hands UDP packets to a handler.
 */
#ifndef MINIVMM_FW_NET_H
#define MINIVMM_FW_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/firmware/vnet.h"
#include "net/inet.h"

#define NET_ARP_CACHE	4

struct net {
	struct vnet *vnet;
	uint32_t ip, netmask, gateway;
	uint16_t ip_id;
	uint16_t zc_port;		/* local port whose payload may be split */
	uint16_t watch_port;		/* ICMP port unreachable for it ends net_run */
	uint32_t watch_ip;		/* ... when it quotes a datagram to here */
	struct {
		uint32_t ip;
		uint8_t mac[6];
	} arp[NET_ARP_CACHE];
	unsigned int arp_next;
	unsigned int arp_learned;	/* counts mappings learned */
	uint32_t rearm_ms;		/* set by a handler: deadline = now + this */
	uint64_t end_ms;		/* the whole netboot's deadline, 0: none */
	/* Profile (-trace-boot): TSC cycles spent on received frames (refill,
	 * poll, parse, handler with its ACK), idle polling left out. */
	bool profile;
	uint64_t busy_tsc;
	/* Called (never returns) once end_ms has passed. */
	__attribute__((noreturn)) void (*expired)(struct net *n);
};

/* Handler result. */
enum net_rc {
	NET_CONTINUE = 0,
	NET_DONE = 1,
	NET_TIMEOUT = -1,
	NET_UNREACHABLE = -2,		/* ICMP: watch_ip's port is closed */
};

typedef int (*net_udp_fn)(void *ctx, struct net *n, struct vnet_packet *p,
			  const struct inet_udp *u);

/* Payload area of the next UDP frame to send. */
uint8_t *net_udp_payload(struct net *n);
/* Send it; the destination MAC comes from the ARP cache (or broadcast
 * for 255.255.255.255).  False if the MAC is unknown. */
bool net_udp_send(struct net *n, uint32_t dst_ip, uint16_t sport,
		  uint16_t dport, size_t len);
/* Build a whole UDP frame into frame (payload already at frame +
 * INET_UDP_HLEN), for a caller that keeps it as a template; 0 if the MAC
 * is unknown.  net_send_frame() sends such a frame. */
size_t net_udp_frame(struct net *n, uint8_t *frame, size_t cap,
		     uint32_t dst_ip, uint16_t sport, uint16_t dport,
		     size_t len);
void net_send_frame(struct net *n, const uint8_t *frame, size_t len);
/* Poll until fn says done (NET_DONE), fails (< 0), deadline passes
 * (NET_TIMEOUT) or an ICMP port unreachable answers a datagram from
 * watch_port to watch_ip (NET_UNREACHABLE).  fill posts RX buffers (NULL:
 * scratch buffers).  On progress fn sets n->rearm_ms: the deadline becomes
 * now + rearm_ms at the next clock read.  The clock is read when the ring
 * is empty and after every NET_CLOCK_EVERY packets in a row, so a steady
 * flood of frames cannot hold the deadline (or n->end_ms, which calls
 * n->expired) off, while a busy transfer pays one TSC read per many
 * packets (rdtsc is a VM exit on some KVMs). */
int net_run(struct net *n, net_udp_fn fn, void *ctx, vnet_payload_fn fill,
	    void *fill_ctx, uint64_t *deadline_ms);
/* The IP to ARP for to reach ip (itself or the gateway). */
uint32_t net_next_hop(const struct net *n, uint32_t ip);
/* Resolve by ARP with retries; false if nobody answers. */
bool net_arp_resolve(struct net *n, uint32_t ip);
/* Ask again for ip's MAC and wait briefly for the answer (a retry after
 * a timeout: the old entry may be stale); keeps the old one if nobody
 * answers. */
void net_arp_refresh(struct net *n, uint32_t ip);
/* Learn a mapping (e.g. from the DHCP server's frame). */
void net_arp_learn(struct net *n, uint32_t ip, const uint8_t mac[6]);

#endif
