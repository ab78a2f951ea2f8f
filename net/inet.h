/* SPDX-License-Identifier: MIT */
/*
 * Ethernet, ARP, IPv4 and UDP: build and parse over byte buffers.
 * Freestanding (shared by the netboot firmware and the host tests).
 * Addresses are kept in host order as uint32_t; the wire is big-endian.
 */
#ifndef MINIVMM_NET_INET_H
#define MINIVMM_NET_INET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN	6
#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define IPV4_HLEN	20		/* without options: what we send */
#define IPV4_PROTO_ICMP	1
#define IPV4_PROTO_UDP	17
#define UDP_HLEN	8
#define INET_UDP_HLEN	(ETH_HLEN + IPV4_HLEN + UDP_HLEN) /* 42 */
#define ARP_LEN		28		/* Ethernet/IPv4 ARP body */
#define ARP_OP_REQUEST	1
#define ARP_OP_REPLY	2
#define ETH_FRAME_MAX	1514		/* without FCS */
#define INET_UDP_MAX	(ETH_FRAME_MAX - INET_UDP_HLEN) /* 1472 */

extern const uint8_t inet_broadcast_mac[ETH_ALEN];

static inline uint16_t inet_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t inet_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void inet_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void inet_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's complement sum of len bytes (odd length padded), not folded. */
uint32_t inet_csum_add(uint32_t sum, const uint8_t *buf, size_t len);
/* Fold and complement: the value to put in a header. */
uint16_t inet_csum_fold(uint32_t sum);

/*
 * A header checksum after one 16-bit word of the covered data changed from
 * old to new (RFC 1624, eqn. 3), for resending a frame with one field
 * changed.  For UDP pass udp = true: a result of 0 is sent as 0xffff and
 * an absent checksum (0) stays absent.
 */
uint16_t inet_csum_update16(uint16_t csum, uint16_t old, uint16_t new_word,
			    bool udp);

/* A received IPv4/UDP datagram, offsets relative to the frame start. */
struct inet_udp {
	uint8_t src_mac[ETH_ALEN];
	uint8_t dst_mac[ETH_ALEN];
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	size_t payload_off;		/* UDP payload offset in the frame */
	size_t payload_len;		/* from the UDP length field */
	uint16_t udp_csum;		/* 0: sender sent none */
};

/* Parse results. */
enum inet_rc {
	INET_OK = 0,
	INET_SHORT = -1,		/* truncated */
	INET_NOT_IP = -2,		/* another EtherType (or not UDP) */
	INET_BAD = -3,			/* malformed: version, lengths */
	INET_FRAGMENT = -4,		/* fragments are not reassembled */
	INET_CSUM = -5,			/* IPv4 header checksum wrong */
};

/*
 * Parse Ethernet + IPv4 + UDP headers of a frame of frame_len bytes of
 * which the first avail bytes are readable at frame (a split receive
 * buffer: headers here, payload possibly elsewhere).  Checks the IPv4
 * header checksum, the IP and UDP lengths against frame_len; does NOT
 * check the UDP checksum (see inet_udp_csum_ok()).
 */
int inet_udp_parse(const uint8_t *frame, size_t avail, size_t frame_len,
		   struct inet_udp *out);

/* An ICMP "port unreachable" about a UDP datagram we sent. */
struct inet_icmp_unreach {
	uint32_t from_ip;		/* who reports it */
	uint32_t orig_dst_ip;		/* the datagram's destination */
	uint16_t orig_src_port, orig_dst_port;
};

/*
 * Parse a contiguous frame of len bytes as Ethernet + IPv4 + ICMP type 3
 * code 3 quoting an IPv4/UDP header (RFC 792: IP header + 8 bytes).
 * Checks the IPv4 and ICMP checksums.  INET_OK or a negative inet_rc.
 */
int inet_icmp_unreach_parse(const uint8_t *frame, size_t len,
			    struct inet_icmp_unreach *out);

/*
 * UDP checksum check over a contiguous frame (parsed by inet_udp_parse
 * with avail == frame_len).  True when valid or absent.
 */
bool inet_udp_csum_ok(const uint8_t *frame, const struct inet_udp *u);

/*
 * Fill Ethernet + IPv4 + UDP headers in front of a payload of
 * payload_len bytes already at frame + INET_UDP_HLEN.  Computes the IPv4
 * and UDP checksums.  Returns the frame length, 0 if it exceeds cap or
 * ETH_FRAME_MAX.
 */
struct inet_udp_addr {
	const uint8_t *src_mac, *dst_mac;
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint16_t ip_id;
};
size_t inet_udp_build(uint8_t *frame, size_t cap,
		      const struct inet_udp_addr *a, size_t payload_len);

/* ARP (Ethernet/IPv4 only). */
struct inet_arp {
	uint16_t op;
	uint8_t sha[ETH_ALEN];
	uint32_t spa;
	uint8_t tha[ETH_ALEN];
	uint32_t tpa;
};

int inet_arp_parse(const uint8_t *frame, size_t len, struct inet_arp *out);
/* Build a whole ARP frame (Ethernet header included); returns length or 0. */
size_t inet_arp_build(uint8_t *frame, size_t cap, const uint8_t *eth_dst,
		      const struct inet_arp *a);

/* Format a dotted quad into buf (>= 16 bytes); returns length. */
size_t inet_ntoa(uint32_t ip, char *buf);

#endif
