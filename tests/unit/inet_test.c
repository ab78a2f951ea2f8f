// SPDX-License-Identifier: MIT
/* Ethernet/ARP/IPv4/UDP build and parse, including hostile frames. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net/inet.h"
#include "tests/unit/unit_main.h"

static const uint8_t mac_a[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 1 };

static size_t build_udp(uint8_t *f, const char *payload, size_t n)
{
	struct inet_udp_addr a = {
		.src_mac = mac_a, .dst_mac = mac_b,
		.src_ip = 0x0a000002, .dst_ip = 0x0a000001,
		.src_port = 68, .dst_port = 67, .ip_id = 7,
	};

	memcpy(f + INET_UDP_HLEN, payload, n);
	return inet_udp_build(f, ETH_FRAME_MAX, &a, n);
}

START_TEST(test_csum_rfc1071)
{
	/* RFC 1071 section 3 example: sum 0xddf2, checksum ~ = 0x220d. */
	const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(inet_csum_fold(inet_csum_add(0, d, sizeof(d))),
			  0x220d);
	/* odd length pads with zero */
	ck_assert_uint_eq(inet_csum_fold(inet_csum_add(0, d, 1)),
			  (uint16_t)~0x0000);
}
END_TEST

/* The RFC 1071 definition, 16-bit big-endian words, for comparison. */
static uint32_t ref_csum(uint32_t sum, const uint8_t *b, size_t len)
{
	uint64_t s = sum;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

START_TEST(test_csum_matches_reference)
{
	uint8_t buf[1600];

	srand(3);
	for (int i = 0; i < 20000; i++) {
		size_t off = (size_t)rand() % 8, len = (size_t)rand() % 1500;
		uint32_t start = (uint32_t)rand() & 0x3ffff;

		for (size_t j = 0; j < off + len; j++)
			buf[j] = (uint8_t)(i % 7 ? rand() : 0xff);
		ck_assert_uint_eq(inet_csum_fold(inet_csum_add(start, buf + off, len)),
				  inet_csum_fold(ref_csum(start, buf + off, len)));
	}
}
END_TEST

/* The IPv4 header check (a fast path for 20 bytes) agrees with the
 * reference sum: right headers pass, any one flipped bit fails. */
START_TEST(test_ipv4_header_check)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t f[ETH_FRAME_MAX];
	struct inet_udp u;

	srand(7);
	for (int round = 0; round < 2000; round++) {
		struct inet_udp_addr a = {
			.src_mac = mac, .dst_mac = mac,
			.src_ip = (uint32_t)rand() * 2654435761u,
			.dst_ip = (uint32_t)rand() ^ 0x5a5a5a5au,
			.src_port = (uint16_t)rand(), .dst_port = (uint16_t)rand(),
			.ip_id = (uint16_t)rand(),
		};
		size_t len = inet_udp_build(f, sizeof(f), &a, (size_t)(rand() % 64));
		int bit = rand() % (IPV4_HLEN * 8);

		ck_assert_uint_gt(len, 0);
		ck_assert_uint_eq(ref_csum(0, f + ETH_HLEN, IPV4_HLEN), 0xffff);
		ck_assert_int_eq(inet_udp_parse(f, len, len, &u), INET_OK);
		f[ETH_HLEN + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_ne(inet_udp_parse(f, len, len, &u), INET_OK);
	}
}
END_TEST

START_TEST(test_udp_roundtrip)
{
	uint8_t f[ETH_FRAME_MAX];
	struct inet_udp u;
	size_t len = build_udp(f, "hello", 5);

	ck_assert_uint_eq(len, INET_UDP_HLEN + 5);
	ck_assert_int_eq(inet_udp_parse(f, len, len, &u), INET_OK);
	ck_assert_uint_eq(u.src_ip, 0x0a000002);
	ck_assert_uint_eq(u.dst_ip, 0x0a000001);
	ck_assert_uint_eq(u.src_port, 68);
	ck_assert_uint_eq(u.dst_port, 67);
	ck_assert_uint_eq(u.payload_off, INET_UDP_HLEN);
	ck_assert_uint_eq(u.payload_len, 5);
	ck_assert_mem_eq(u.src_mac, mac_a, 6);
	ck_assert_mem_eq(u.dst_mac, mac_b, 6);
	ck_assert(inet_udp_csum_ok(f, &u));
	f[len - 1] ^= 0x40;		/* payload corrupted */
	ck_assert(!inet_udp_csum_ok(f, &u));
}
END_TEST

START_TEST(test_udp_build_limits)
{
	uint8_t f[ETH_FRAME_MAX];
	struct inet_udp_addr a = { .src_mac = mac_a, .dst_mac = mac_b };

	ck_assert_uint_eq(inet_udp_build(f, sizeof(f), &a, INET_UDP_MAX + 1), 0);
	ck_assert_uint_eq(inet_udp_build(f, 50, &a, 20), 0);
	ck_assert_uint_eq(inet_udp_build(f, sizeof(f), &a, INET_UDP_MAX),
			  ETH_FRAME_MAX);
}
END_TEST

START_TEST(test_csum_update)
{
	uint8_t f[ETH_FRAME_MAX], g[ETH_FRAME_MAX];
	struct inet_udp_addr a = { .src_mac = mac_a, .dst_mac = mac_b,
				   .src_ip = 0x0a000064, .dst_ip = 0x0a000001,
				   .src_port = 50000, .dst_port = 40000 };
	uint8_t *udp = f + ETH_HLEN + IPV4_HLEN;

	/* A TFTP ACK, re-stamped block by block, equals one built anew. */
	inet_put16(f + INET_UDP_HLEN, 4);
	inet_put16(f + INET_UDP_HLEN + 2, 0);
	inet_udp_build(f, sizeof(f), &a, 4);
	for (uint32_t b = 1; b <= 70000; b += 7) {
		uint16_t old = inet_get16(udp + 10);

		inet_put16(udp + 10, (uint16_t)b);
		inet_put16(udp + 6, inet_csum_update16(inet_get16(udp + 6), old,
						       (uint16_t)b, true));
		inet_put16(g + INET_UDP_HLEN, 4);
		inet_put16(g + INET_UDP_HLEN + 2, (uint16_t)b);
		inet_udp_build(g, sizeof(g), &a, 4);
		ck_assert_uint_eq(inet_get16(udp + 6),
				  inet_get16(g + ETH_HLEN + IPV4_HLEN + 6));
	}
	/* absent UDP checksum stays absent */
	ck_assert_uint_eq(inet_csum_update16(0, 1, 2, true), 0);
	/* plain header checksum: RFC 1624's example (0xdd2f, 0x5555 -> 0x3285) */
	ck_assert_uint_eq(inet_csum_update16(0xdd2f, 0x5555, 0x3285, false),
			  0x0000);
}
END_TEST

START_TEST(test_udp_hostile)
{
	uint8_t f[ETH_FRAME_MAX], g[ETH_FRAME_MAX];
	struct inet_udp u;
	size_t len = build_udp(f, "0123456789", 10);

	/* truncated at every length */
	for (size_t n = 0; n < INET_UDP_HLEN; n++)
		ck_assert_int_ne(inet_udp_parse(f, n, n, &u), INET_OK);
	/* split buffer: headers readable, payload elsewhere */
	ck_assert_int_eq(inet_udp_parse(f, INET_UDP_HLEN, len, &u), INET_OK);
	/* IP total length beyond the frame */
	memcpy(g, f, len);
	inet_put16(g + ETH_HLEN + 2, 1000);
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_BAD);
	/* UDP length beyond IP length */
	memcpy(g, f, len);
	inet_put16(g + ETH_HLEN + IPV4_HLEN + 4, 200);
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_BAD);
	/* UDP length below its header */
	inet_put16(g + ETH_HLEN + IPV4_HLEN + 4, 4);
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_BAD);
	/* IHL below 5 and IHL pointing past the frame */
	memcpy(g, f, len);
	g[ETH_HLEN] = 0x44;
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_BAD);
	g[ETH_HLEN] = 0x4f;
	ck_assert_int_ne(inet_udp_parse(g, 40, 40, &u), INET_OK);
	/* IPv6 version, header checksum, fragments, other protocols */
	memcpy(g, f, len);
	g[ETH_HLEN] = 0x65;
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_BAD);
	memcpy(g, f, len);
	g[ETH_HLEN + 8] = 1;		/* TTL changed, checksum stale */
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_CSUM);
	memcpy(g, f, len);
	inet_put16(g + ETH_HLEN + 6, 0x2000);	/* MF */
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_FRAGMENT);
	memcpy(g, f, len);
	g[ETH_HLEN + 9] = 6;
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_NOT_IP);
	inet_put16(g + 12, ETH_P_ARP);
	ck_assert_int_eq(inet_udp_parse(g, len, len, &u), INET_NOT_IP);
	/* Ethernet padding after a short datagram is fine */
	memcpy(g, f, len);
	memset(g + len, 0xee, 20);
	ck_assert_int_eq(inet_udp_parse(g, len + 20, len + 20, &u), INET_OK);
	ck_assert_uint_eq(u.payload_len, 10);
	ck_assert(inet_udp_csum_ok(g, &u));
}
END_TEST

/* An ICMP port unreachable quoting the datagram in q (qlen bytes of IP). */
static size_t build_icmp_unreach(uint8_t *f, const uint8_t *q, size_t qlen)
{
	uint8_t *ip = f + ETH_HLEN, *icmp = ip + IPV4_HLEN;
	size_t tot = IPV4_HLEN + 8 + qlen;

	memset(f, 0, ETH_HLEN + tot);
	inet_put16(f + 12, ETH_P_IP);
	ip[0] = 0x45;
	inet_put16(ip + 2, (uint16_t)tot);
	ip[8] = 64;
	ip[9] = IPV4_PROTO_ICMP;
	inet_put32(ip + 12, 0x0a000001);
	inet_put32(ip + 16, 0x0a000002);
	inet_put16(ip + 10, inet_csum_fold(inet_csum_add(0, ip, IPV4_HLEN)));
	icmp[0] = 3;
	icmp[1] = 3;
	memcpy(icmp + 8, q, qlen);
	inet_put16(icmp + 2, inet_csum_fold(inet_csum_add(0, icmp, 8 + qlen)));
	return ETH_HLEN + tot;
}

START_TEST(test_icmp_port_unreachable)
{
	uint8_t udp[ETH_FRAME_MAX], f[ETH_FRAME_MAX];
	struct inet_icmp_unreach r;
	size_t len;

	/* the datagram we sent: 10.0.0.2:68 -> 10.0.0.1:67 */
	build_udp(udp, "hello", 5);
	len = build_icmp_unreach(f, udp + ETH_HLEN, IPV4_HLEN + UDP_HLEN + 5);
	ck_assert_int_eq(inet_icmp_unreach_parse(f, len, &r), INET_OK);
	ck_assert_uint_eq(r.from_ip, 0x0a000001);
	ck_assert_uint_eq(r.orig_dst_ip, 0x0a000001);
	ck_assert_uint_eq(r.orig_src_port, 68);
	ck_assert_uint_eq(r.orig_dst_port, 67);
	/* quoting only the IP header + 8 bytes, as RFC 792 allows */
	len = build_icmp_unreach(f, udp + ETH_HLEN, IPV4_HLEN + UDP_HLEN);
	ck_assert_int_eq(inet_icmp_unreach_parse(f, len, &r), INET_OK);
	/* every truncation is refused, never read past len */
	for (size_t cut = 0; cut < len; cut++)
		ck_assert_int_ne(inet_icmp_unreach_parse(f, cut, &r), INET_OK);
	/* bad ICMP checksum */
	f[len - 1] ^= 1;
	ck_assert_int_eq(inet_icmp_unreach_parse(f, len, &r), INET_CSUM);
	f[len - 1] ^= 1;
	/* host unreachable (code 1) is not a closed port */
	len = build_icmp_unreach(f, udp + ETH_HLEN, IPV4_HLEN + UDP_HLEN);
	f[ETH_HLEN + IPV4_HLEN + 1] = 1;
	inet_put16(f + ETH_HLEN + IPV4_HLEN + 2, 0);
	inet_put16(f + ETH_HLEN + IPV4_HLEN + 2,
		   inet_csum_fold(inet_csum_add(0, f + ETH_HLEN + IPV4_HLEN,
						8 + IPV4_HLEN + UDP_HLEN)));
	ck_assert_int_eq(inet_icmp_unreach_parse(f, len, &r), INET_NOT_IP);
	/* a UDP frame is not ICMP */
	len = build_udp(f, "x", 1);
	ck_assert_int_eq(inet_icmp_unreach_parse(f, len, &r), INET_NOT_IP);
}
END_TEST

START_TEST(test_arp)
{
	uint8_t f[64];
	struct inet_arp a = { .op = ARP_OP_REQUEST, .spa = 0x0a000002,
			      .tpa = 0x0a000001 }, b;
	size_t len;

	memcpy(a.sha, mac_a, 6);
	len = inet_arp_build(f, sizeof(f), inet_broadcast_mac, &a);
	ck_assert_uint_eq(len, 42);
	ck_assert_int_eq(inet_arp_parse(f, len, &b), INET_OK);
	ck_assert_uint_eq(b.op, ARP_OP_REQUEST);
	ck_assert_uint_eq(b.spa, 0x0a000002);
	ck_assert_uint_eq(b.tpa, 0x0a000001);
	ck_assert_mem_eq(b.sha, mac_a, 6);
	ck_assert_int_eq(inet_arp_parse(f, len - 1, &b), INET_SHORT);
	f[ETH_HLEN + 4] = 8;		/* hardware address length */
	ck_assert_int_eq(inet_arp_parse(f, len, &b), INET_BAD);
	ck_assert_uint_eq(inet_arp_build(f, 41, mac_b, &a), 0);
}
END_TEST

START_TEST(test_ntoa)
{
	char b[16];

	ck_assert_uint_eq(inet_ntoa(0xc0a80a05, b), 12);
	ck_assert_str_eq(b, "192.168.10.5");
	inet_ntoa(0xffffffff, b);
	ck_assert_str_eq(b, "255.255.255.255");
	inet_ntoa(0, b);
	ck_assert_str_eq(b, "0.0.0.0");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inet");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_csum_rfc1071);
	tcase_add_test(tc, test_ipv4_header_check);
	tcase_add_test(tc, test_csum_matches_reference);
	tcase_add_test(tc, test_udp_roundtrip);
	tcase_add_test(tc, test_udp_build_limits);
	tcase_add_test(tc, test_csum_update);
	tcase_add_test(tc, test_udp_hostile);
	tcase_add_test(tc, test_arp);
	tcase_add_test(tc, test_icmp_port_unreachable);
	tcase_add_test(tc, test_ntoa);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
