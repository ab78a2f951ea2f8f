// SPDX-License-Identifier: MIT
/*
 * Ethernet, ARP, IPv4 and UDP headers.  Every length comes from the wire
 * and is checked against what was really received before it is used.
 */
#include "net/inet.h"

const uint8_t inet_broadcast_mac[ETH_ALEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* Unaligned loads that the compiler may not turn into library calls. */
typedef uint32_t inet_u32_una __attribute__((may_alias, aligned(1)));
typedef uint16_t inet_u16_una __attribute__((may_alias, aligned(1)));

/*
 * The one's complement sum is byte-order independent (RFC 1071 2.B): sum
 * little-endian 32-bit words (x86 loads, a quarter of the iterations of a
 * 16-bit big-endian walk: guest code is emulated on some KVMs, so
 * instructions count) and swap the folded result once.
 */
uint32_t inet_csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
	uint64_t s = 0;
	uint32_t le;

	for (; len >= 4; len -= 4, buf += 4)
		s += *(const inet_u32_una *)buf;
	if (len >= 2) {
		s += *(const inet_u16_una *)buf;
		buf += 2;
		len -= 2;
	}
	if (len)
		s += buf[0];		/* low byte in little-endian terms */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	le = (uint32_t)s;
	s = (uint64_t)sum + (uint16_t)(le << 8 | le >> 8);
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t inet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_csum_update16(uint16_t csum, uint16_t old, uint16_t new_word,
			    bool udp)
{
	uint32_t sum;

	if (udp && csum == 0)
		return 0;
	sum = (uint16_t)~csum + (uint32_t)(uint16_t)~old + new_word;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	csum = (uint16_t)~sum;
	return udp && csum == 0 ? 0xffff : csum;
}

/*
 * Is an IPv4 header's checksum right?  This runs for every received frame
 * (the firmware's per-block path, fw_block_cost): for the usual 20 bytes
 * five loads and a fold.  A right header sums to 0xffff in either byte
 * order, so the little-endian words need no swap.
 */
static bool inet_ipv4_hdr_ok(const uint8_t *ip, size_t ihl)
{
	const inet_u32_una *w = (const inet_u32_una *)ip;
	uint64_t s;

	if (ihl != IPV4_HLEN)
		return inet_csum_fold(inet_csum_add(0, ip, ihl)) == 0;
	s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	s = (s & 0xffffffffu) + (s >> 32);	/* 2^32 = 1 (mod 0xffff) */
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* Two moves, not a byte loop: this runs once per received frame (the
 * firmware's per-block path, fw_block_cost). */
static void inet_copy_mac(uint8_t *dst, const uint8_t *src)
{
	__builtin_memcpy(dst, src, ETH_ALEN);
}

int inet_udp_parse(const uint8_t *frame, size_t avail, size_t frame_len,
		   struct inet_udp *out)
{
	const uint8_t *ip = frame + ETH_HLEN;
	size_t ihl, tot, udp_len;
	uint16_t frag;

	if (avail > frame_len)
		avail = frame_len;
	if (avail < ETH_HLEN + IPV4_HLEN)
		return INET_SHORT;
	if (inet_get16(frame + 12) != ETH_P_IP)
		return INET_NOT_IP;
	if ((ip[0] >> 4) != 4)
		return INET_BAD;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < IPV4_HLEN)
		return INET_BAD;
	if (avail < ETH_HLEN + ihl + UDP_HLEN)
		return INET_SHORT;
	tot = inet_get16(ip + 2);
	if (tot < ihl + UDP_HLEN || tot > frame_len - ETH_HLEN)
		return INET_BAD;	/* Ethernet padding may follow: tot < */
	frag = inet_get16(ip + 6);
	if (frag & 0x3fff)		/* MF set or offset != 0 */
		return INET_FRAGMENT;
	if (ip[9] != IPV4_PROTO_UDP)
		return INET_NOT_IP;
	if (!inet_ipv4_hdr_ok(ip, ihl))
		return INET_CSUM;
	udp_len = inet_get16(ip + ihl + 4);
	if (udp_len < UDP_HLEN || udp_len > tot - ihl)
		return INET_BAD;
	inet_copy_mac(out->dst_mac, frame);
	inet_copy_mac(out->src_mac, frame + 6);
	out->src_ip = inet_get32(ip + 12);
	out->dst_ip = inet_get32(ip + 16);
	out->src_port = inet_get16(ip + ihl);
	out->dst_port = inet_get16(ip + ihl + 2);
	out->udp_csum = inet_get16(ip + ihl + 6);
	out->payload_off = ETH_HLEN + ihl + UDP_HLEN;
	out->payload_len = udp_len - UDP_HLEN;
	return INET_OK;
}

/* Pseudo header + UDP header and payload, as the wire carries them. */
static uint32_t inet_udp_sum(const uint8_t *udp, size_t udp_len,
			     uint32_t src, uint32_t dst)
{
	uint8_t ph[12];

	inet_put32(ph, src);
	inet_put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = IPV4_PROTO_UDP;
	inet_put16(ph + 10, (uint16_t)udp_len);
	return inet_csum_add(inet_csum_add(0, ph, sizeof(ph)), udp, udp_len);
}

bool inet_udp_csum_ok(const uint8_t *frame, const struct inet_udp *u)
{
	const uint8_t *udp = frame + u->payload_off - UDP_HLEN;

	if (u->udp_csum == 0)
		return true;
	return inet_csum_fold(inet_udp_sum(udp, u->payload_len + UDP_HLEN,
					   u->src_ip, u->dst_ip)) == 0;
}

size_t inet_udp_build(uint8_t *frame, size_t cap,
		      const struct inet_udp_addr *a, size_t payload_len)
{
	uint8_t *ip = frame + ETH_HLEN, *udp = ip + IPV4_HLEN;
	size_t len = INET_UDP_HLEN + payload_len;
	uint16_t csum;

	if (payload_len > INET_UDP_MAX || len > cap)
		return 0;
	inet_copy_mac(frame, a->dst_mac);
	inet_copy_mac(frame + 6, a->src_mac);
	inet_put16(frame + 12, ETH_P_IP);

	ip[0] = 0x45;
	ip[1] = 0;
	inet_put16(ip + 2, (uint16_t)(IPV4_HLEN + UDP_HLEN + payload_len));
	inet_put16(ip + 4, a->ip_id);
	inet_put16(ip + 6, 0x4000);	/* DF */
	ip[8] = 64;
	ip[9] = IPV4_PROTO_UDP;
	inet_put16(ip + 10, 0);
	inet_put32(ip + 12, a->src_ip);
	inet_put32(ip + 16, a->dst_ip);
	inet_put16(ip + 10, inet_csum_fold(inet_csum_add(0, ip, IPV4_HLEN)));

	inet_put16(udp, a->src_port);
	inet_put16(udp + 2, a->dst_port);
	inet_put16(udp + 4, (uint16_t)(UDP_HLEN + payload_len));
	inet_put16(udp + 6, 0);
	csum = inet_csum_fold(inet_udp_sum(udp, UDP_HLEN + payload_len,
					   a->src_ip, a->dst_ip));
	inet_put16(udp + 6, csum ? csum : 0xffff);
	return len;
}

int inet_arp_parse(const uint8_t *frame, size_t len, struct inet_arp *out)
{
	const uint8_t *a = frame + ETH_HLEN;

	if (len < ETH_HLEN + ARP_LEN)
		return INET_SHORT;
	if (inet_get16(frame + 12) != ETH_P_ARP)
		return INET_NOT_IP;
	if (inet_get16(a) != 1 || inet_get16(a + 2) != ETH_P_IP ||
	    a[4] != ETH_ALEN || a[5] != 4)
		return INET_BAD;
	out->op = inet_get16(a + 6);
	inet_copy_mac(out->sha, a + 8);
	out->spa = inet_get32(a + 14);
	inet_copy_mac(out->tha, a + 18);
	out->tpa = inet_get32(a + 24);
	return INET_OK;
}

size_t inet_arp_build(uint8_t *frame, size_t cap, const uint8_t *eth_dst,
		      const struct inet_arp *a)
{
	uint8_t *p = frame + ETH_HLEN;

	if (cap < ETH_HLEN + ARP_LEN)
		return 0;
	inet_copy_mac(frame, eth_dst);
	inet_copy_mac(frame + 6, a->sha);
	inet_put16(frame + 12, ETH_P_ARP);
	inet_put16(p, 1);
	inet_put16(p + 2, ETH_P_IP);
	p[4] = ETH_ALEN;
	p[5] = 4;
	inet_put16(p + 6, a->op);
	inet_copy_mac(p + 8, a->sha);
	inet_put32(p + 14, a->spa);
	inet_copy_mac(p + 18, a->tha);
	inet_put32(p + 24, a->tpa);
	return ETH_HLEN + ARP_LEN;
}

size_t inet_ntoa(uint32_t ip, char *buf)
{
	size_t n = 0;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned int v = (ip >> shift) & 0xff;

		if (v >= 100)
			buf[n++] = (char)('0' + v / 100);
		if (v >= 10)
			buf[n++] = (char)('0' + v / 10 % 10);
		buf[n++] = (char)('0' + v % 10);
		if (shift)
			buf[n++] = '.';
	}
	buf[n] = 0;
	return n;
}

int inet_icmp_unreach_parse(const uint8_t *frame, size_t len,
			    struct inet_icmp_unreach *out)
{
	const uint8_t *ip = frame + ETH_HLEN, *icmp, *orig;
	size_t ihl, tot, oihl;

	if (len < ETH_HLEN + IPV4_HLEN)
		return INET_SHORT;
	if (inet_get16(frame + 12) != ETH_P_IP || (ip[0] >> 4) != 4)
		return INET_NOT_IP;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = inet_get16(ip + 2);
	if (ihl < IPV4_HLEN || tot < ihl || tot > len - ETH_HLEN)
		return INET_BAD;
	if (ip[9] != IPV4_PROTO_ICMP)
		return INET_NOT_IP;
	if (inet_get16(ip + 6) & 0x3fff)
		return INET_FRAGMENT;
	if (inet_csum_fold(inet_csum_add(0, ip, ihl)) != 0)
		return INET_CSUM;
	/* ICMP header (8) + the quoted IPv4 header + 8 bytes of UDP */
	if (tot - ihl < 8 + IPV4_HLEN + UDP_HLEN)
		return INET_SHORT;
	icmp = ip + ihl;
	if (inet_csum_fold(inet_csum_add(0, icmp, tot - ihl)) != 0)
		return INET_CSUM;
	if (icmp[0] != 3 || icmp[1] != 3)	/* dest. unreachable: port */
		return INET_NOT_IP;
	orig = icmp + 8;
	oihl = (size_t)(orig[0] & 0xf) * 4;
	if ((orig[0] >> 4) != 4 || oihl < IPV4_HLEN ||
	    8 + oihl + UDP_HLEN > tot - ihl)
		return INET_BAD;
	if (orig[9] != IPV4_PROTO_UDP)
		return INET_NOT_IP;
	out->from_ip = inet_get32(ip + 12);
	out->orig_dst_ip = inet_get32(orig + 16);
	out->orig_src_port = inet_get16(orig + oihl);
	out->orig_dst_port = inet_get16(orig + oihl + 2);
	return INET_OK;
}
