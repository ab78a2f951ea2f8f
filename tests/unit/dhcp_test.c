// SPDX-License-Identifier: MIT
/* DHCP client: messages we build, replies we parse, the state machine. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcp.h"
#include "net/inet.h"
#include "tests/unit/unit_main.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				  13, 14, 15, 16 };
#define XID 0x11223344u

/* A server reply under construction. */
struct reply {
	uint8_t b[1024];
	size_t len;
};

static void reply_init(struct reply *r, uint32_t xid, uint8_t type)
{
	memset(r, 0, sizeof(*r));
	r->b[0] = 2;
	r->b[1] = 1;
	r->b[2] = 6;
	inet_put32(r->b + 4, xid);
	inet_put32(r->b + 16, 0x0a000064);	/* yiaddr 10.0.0.100 */
	inet_put32(r->b + 20, 0x0a000001);	/* siaddr */
	memcpy(r->b + 28, mac, 6);
	inet_put32(r->b + 236, 0x63825363);
	r->len = 240;
	r->b[r->len++] = 53;
	r->b[r->len++] = 1;
	r->b[r->len++] = type;
}

static void reply_opt(struct reply *r, uint8_t code, const void *v,
		      uint8_t len)
{
	r->b[r->len++] = code;
	r->b[r->len++] = len;
	memcpy(r->b + r->len, v, len);
	r->len += len;
}

static void reply_ip(struct reply *r, uint8_t code, uint32_t ip)
{
	uint8_t v[4];

	inet_put32(v, ip);
	reply_opt(r, code, v, 4);
}

static void reply_end(struct reply *r)
{
	r->b[r->len++] = 255;
}

/* Find option code in our own (well-formed) message. */
static const uint8_t *find_opt(const uint8_t *m, size_t len, uint8_t code,
			       uint8_t *olen)
{
	size_t i = 240;

	while (i + 1 < len && m[i] != 255) {
		if (m[i] == 0) {
			i++;
			continue;
		}
		if (m[i] == code) {
			*olen = m[i + 1];
			return m + i + 2;
		}
		i += 2 + m[i + 1];
	}
	return NULL;
}

/* A client (our MAC and UUID) that has put its DISCOVER into buf. */
static void client_started(struct dhcp_client *c, uint8_t *buf, size_t *len)
{
	dhcp_client_init(c, mac, uuid, XID);
	ck_assert_int_eq(dhcp_client_start(c, buf, DHCP_MSG_MAX, len), DHCP_A_SEND);
}

START_TEST(test_discover_contents)
{
	struct dhcp_client c;
	uint8_t buf[DHCP_MSG_MAX], olen;
	const uint8_t *o;
	size_t len;

	client_started(&c, buf, &len);
	ck_assert_uint_ge(len, 300);
	ck_assert_uint_eq(buf[0], 1);
	ck_assert_uint_eq(inet_get32(buf + 4), XID);
	ck_assert_uint_eq(inet_get16(buf + 10), 0x8000);
	ck_assert_mem_eq(buf + 28, mac, 6);
	ck_assert_uint_eq(inet_get32(buf + 236), 0x63825363);
	o = find_opt(buf, len, 53, &olen);
	ck_assert(o && olen == 1 && o[0] == DHCP_DISCOVER);
	o = find_opt(buf, len, 60, &olen);
	ck_assert(o && olen == 32);
	ck_assert(memcmp(o, "PXEClient:Arch:00000:UNDI:002001", 32) == 0);
	o = find_opt(buf, len, 93, &olen);
	ck_assert(o && olen == 2 && o[0] == 0 && o[1] == 0);
	o = find_opt(buf, len, 94, &olen);
	ck_assert(o && olen == 3 && o[0] == 1);
	o = find_opt(buf, len, 97, &olen);
	ck_assert(o && olen == 17 && o[0] == 0 && !memcmp(o + 1, uuid, 16));
	o = find_opt(buf, len, 61, &olen);
	ck_assert(o && olen == 7 && o[0] == 1 && !memcmp(o + 1, mac, 6));
	o = find_opt(buf, len, 57, &olen);
	ck_assert(o && olen == 2 && inet_get16(o) >= 576);
	o = find_opt(buf, len, 55, &olen);
	ck_assert(o);
	ck_assert(memchr(o, 209, olen) && memchr(o, 210, olen));
	ck_assert(memchr(o, 66, olen) && memchr(o, 67, olen));
	ck_assert(memchr(o, 1, olen) && memchr(o, 3, olen));
	ck_assert_ptr_null(find_opt(buf, len, 50, &olen));
	ck_assert_uint_eq(dhcp_build_discover(&c, buf, 100), 0);
}
END_TEST

static void make_offer(struct reply *r, uint32_t xid, uint8_t type)
{
	reply_init(r, xid, type);
	reply_ip(r, 54, 0x0a000001);
	reply_ip(r, 1, 0xffffff00);
	reply_ip(r, 3, 0x0a0000fe);
	reply_ip(r, 51, 3600);
	reply_opt(r, 67, "pxelinux.0", 10);
	reply_opt(r, 209, "my.cfg", 6);
	reply_opt(r, 210, "boot/", 5);
	reply_opt(r, 66, "tftp.example", 12);
	reply_end(r);
	memcpy(r->b + 108, "fieldfile", 9);
	memcpy(r->b + 44, "sname", 5);
}

START_TEST(test_parse_offer)
{
	struct reply r;
	struct dhcp_lease l;

	make_offer(&r, XID, DHCP_OFFER);
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_OK);
	ck_assert_uint_eq(l.type, DHCP_OFFER);
	ck_assert_uint_eq(l.yiaddr, 0x0a000064);
	ck_assert_uint_eq(l.siaddr, 0x0a000001);
	ck_assert_uint_eq(l.server_id, 0x0a000001);
	ck_assert_uint_eq(l.subnet_mask, 0xffffff00);
	ck_assert_uint_eq(l.router, 0x0a0000fe);
	ck_assert_uint_eq(l.lease_secs, 3600);
	ck_assert_str_eq(l.bootfile, "pxelinux.0");
	ck_assert_str_eq(l.pxe_config, "my.cfg");
	ck_assert_str_eq(l.path_prefix, "boot/");
	ck_assert_str_eq(l.tftp_server, "tftp.example");
	ck_assert_str_eq(l.file, "fieldfile");
	ck_assert_str_eq(l.sname, "sname");
	ck_assert_str_eq(dhcp_lease_bootfile(&l), "pxelinux.0");
	ck_assert_uint_eq(dhcp_lease_tftp_server(&l), 0x0a000001);
	ck_assert(l.have & DHCP_HAVE_ROUTER);
	ck_assert(!(l.have & DHCP_HAVE_DNS));
}
END_TEST

START_TEST(test_parse_hostile)
{
	struct reply r;
	struct dhcp_lease l;
	uint8_t other[6] = { 1, 2, 3, 4, 5, 6 };

	make_offer(&r, XID, DHCP_OFFER);
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID + 1, mac, &l),
			 DHCP_E_NOT_OURS);
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, other, &l),
			 DHCP_E_NOT_OURS);
	for (size_t n = 0; n < 240; n++)
		ck_assert_int_eq(dhcp_parse(r.b, n, XID, mac, &l),
				 DHCP_E_SHORT);
	/* every truncation of the options either parses or fails cleanly */
	for (size_t n = 240; n < r.len; n++) {
		int rc = dhcp_parse(r.b, n, XID, mac, &l);

		ck_assert(rc == DHCP_OK || rc == DHCP_E_BAD);
	}
	/* option length running past the end */
	reply_init(&r, XID, DHCP_OFFER);
	r.b[r.len++] = 67;
	r.b[r.len++] = 200;
	memcpy(r.b + r.len, "abc", 3);
	r.len += 3;
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_E_BAD);
	/* length byte itself missing */
	reply_init(&r, XID, DHCP_OFFER);
	r.b[r.len++] = 3;
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_E_BAD);
	/* bad cookie, BOOTREQUEST, no type */
	make_offer(&r, XID, DHCP_OFFER);
	r.b[236] = 0;
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_E_BAD);
	make_offer(&r, XID, DHCP_OFFER);
	r.b[0] = 1;
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_E_BAD);
	reply_init(&r, XID, DHCP_OFFER);
	r.b[240] = 0;			/* option 53 turned into pads ... */
	r.b[241] = 0;
	r.b[242] = 0;
	reply_end(&r);
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_E_BAD);
	/* short fixed-size options are ignored, not read past */
	reply_init(&r, XID, DHCP_OFFER);
	reply_opt(&r, 1, "\xff\xff", 2);
	reply_opt(&r, 54, "", 0);
	reply_end(&r);
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_OK);
	ck_assert(!(l.have & (DHCP_HAVE_SUBNET | DHCP_HAVE_SERVER_ID)));
	/* unterminated file/sname fields stay bounded */
	make_offer(&r, XID, DHCP_OFFER);
	memset(r.b + 44, 'A', 64 + 128);
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_OK);
	ck_assert_uint_eq(strlen(l.sname), 64);
	ck_assert_uint_eq(strlen(l.file), 128);
}
END_TEST

START_TEST(test_overload_and_concat)
{
	struct reply r;
	struct dhcp_lease l;
	uint8_t *file, *sname;

	reply_init(&r, XID, DHCP_ACK);
	reply_opt(&r, 52, "\x03", 1);
	reply_ip(&r, 54, 0x0a000001);
	reply_opt(&r, 67, "boot/", 5);	/* split: continues in file */
	reply_end(&r);
	file = r.b + 108;
	file[0] = 67; file[1] = 6; memcpy(file + 2, "pxe.0x", 6);
	file[8] = 210; file[9] = 4; memcpy(file + 10, "pre/", 4);
	file[14] = 255;
	sname = r.b + 44;
	sname[0] = 0;			/* pad */
	sname[1] = 3; sname[2] = 4; inet_put32(sname + 3, 0x0a0000fe);
	sname[7] = 255;
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_OK);
	ck_assert_str_eq(l.bootfile, "boot/pxe.0x");
	ck_assert_str_eq(l.path_prefix, "pre/");
	ck_assert_uint_eq(l.router, 0x0a0000fe);
	ck_assert_str_eq(l.file, "");	/* overloaded: not a file name */
	ck_assert_str_eq(l.sname, "");
	/* an overlong option inside the overloaded file field */
	file[1] = 200;
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_E_BAD);
}
END_TEST

START_TEST(test_long_concatenation_bounded)
{
	struct reply r;
	struct dhcp_lease l;
	uint8_t v[255];

	memset(v, 'x', sizeof(v));
	reply_init(&r, XID, DHCP_OFFER);
	reply_opt(&r, 67, v, 255);
	reply_opt(&r, 67, v, 255);
	reply_opt(&r, 67, v, 255);
	reply_end(&r);
	ck_assert_int_eq(dhcp_parse(r.b, r.len, XID, mac, &l), DHCP_OK);
	ck_assert_uint_eq(strlen(l.bootfile), DHCP_STR_MAX - 1);
}
END_TEST

/* A plain offer: an address, no boot information, from server sid. */
static void make_plain_offer(struct reply *r, uint32_t xid, uint8_t type,
			     uint32_t sid, uint32_t yiaddr)
{
	reply_init(r, xid, type);
	inet_put32(r->b + 16, yiaddr);
	inet_put32(r->b + 20, 0);
	reply_ip(r, 54, sid);
	reply_ip(r, 1, 0xffffff00);
	reply_end(r);
}

static enum dhcp_action feed(struct dhcp_client *c, struct reply *r,
			     uint8_t *buf, size_t *len)
{
	return dhcp_client_receive(c, r->b, r->len, buf, DHCP_MSG_MAX, len);
}

/* The start of a ProxyDHCP offer from server sid: no address (yiaddr 0),
 * siaddr, option 60 PXEClient; the caller adds the rest and ends it. */
static void proxy_offer_begin(struct reply *r, uint32_t sid, uint32_t siaddr)
{
	reply_init(r, XID, DHCP_OFFER);
	inet_put32(r->b + 16, 0);
	inet_put32(r->b + 20, siaddr);
	reply_ip(r, 54, sid);
	reply_opt(r, 60, "PXEClient", 9);
}

/* Several servers: a plain one answers first; the PXE one wins. */
START_TEST(test_several_servers)
{
	struct dhcp_client c;
	struct reply r;
	uint8_t buf[DHCP_MSG_MAX], olen;
	const uint8_t *o;
	size_t len;

	client_started(&c, buf, &len);
	make_plain_offer(&r, XID, DHCP_OFFER, 0x0a000005, 0x0a000077);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_NONE);
	ck_assert_int_eq(c.state, DHCP_S_SELECTING);	/* still collecting */
	make_offer(&r, XID, DHCP_OFFER);		/* has pxelinux.0 */
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_SEND);
	ck_assert_int_eq(c.state, DHCP_S_REQUESTING);
	o = find_opt(buf, len, 54, &olen);
	ck_assert(o && inet_get32(o) == 0x0a000001);
	make_offer(&r, XID, DHCP_ACK);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_BOUND);
	ck_assert_str_eq(dhcp_lease_bootfile(&c.offer), "pxelinux.0");

	/* only plain offers: the first is taken once the window is over */
	client_started(&c, buf, &len);
	make_plain_offer(&r, XID, DHCP_OFFER, 0x0a000005, 0x0a000077);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_NONE);
	make_plain_offer(&r, XID, DHCP_OFFER, 0x0a000006, 0x0a000088);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_NONE);
	/* 1 s: the window is still open, DISCOVER again */
	ck_assert_int_eq(dhcp_client_timeout(&c, buf, sizeof(buf), &len),
			 DHCP_A_SEND);
	ck_assert_int_eq(c.state, DHCP_S_SELECTING);
	o = find_opt(buf, len, 53, &olen);
	ck_assert(o && o[0] == DHCP_DISCOVER);
	/* 3 s: over */
	ck_assert_int_eq(dhcp_client_timeout(&c, buf, sizeof(buf), &len),
			 DHCP_A_SEND);
	ck_assert_int_eq(c.state, DHCP_S_REQUESTING);
	o = find_opt(buf, len, 50, &olen);
	ck_assert(o && inet_get32(o) == 0x0a000077);
}
END_TEST

/* ProxyDHCP: the address from one server, the boot file from a proxy
 * offer (yiaddr 0, option 60 PXEClient). */
START_TEST(test_proxy_offer)
{
	struct dhcp_client c;
	struct reply r;
	uint8_t buf[DHCP_MSG_MAX];
	size_t len;

	client_started(&c, buf, &len);
	/* the proxy first: kept, nothing to request yet */
	proxy_offer_begin(&r, 0x0a000009, 0x0a000009);
	reply_opt(&r, 67, "proxy/pxelinux.0", 16);
	reply_end(&r);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_NONE);
	ck_assert(c.have_proxy);
	/* then the plain offer: taken at once */
	make_plain_offer(&r, XID, DHCP_OFFER, 0x0a000005, 0x0a000077);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_SEND);
	make_plain_offer(&r, XID, DHCP_ACK, 0x0a000005, 0x0a000077);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_BOUND);
	ck_assert_uint_eq(c.offer.yiaddr, 0x0a000077);
	ck_assert_str_eq(dhcp_lease_bootfile(&c.offer), "proxy/pxelinux.0");
	ck_assert_uint_eq(dhcp_lease_tftp_server(&c.offer), 0x0a000009);
	/* a yiaddr-0 offer without PXEClient is nobody's proxy */
	client_started(&c, buf, &len);
	reply_init(&r, XID, DHCP_OFFER);
	inet_put32(r.b + 16, 0);
	reply_ip(&r, 54, 0x0a000009);
	reply_opt(&r, 67, "x.0", 3);
	reply_end(&r);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_NONE);
	ck_assert(!c.have_proxy);
}
END_TEST

/* dnsmasq 2.90's ProxyDHCP offer for pxe-service=x86PC,"Boot",pxelinux:
 * no file, option 43 with discovery control 3, boot server type 0x8000 at
 * 10.77.0.1 and a one-item menu.  The boot file comes from port 4011. */
START_TEST(test_proxy_discovery)
{
	static const uint8_t vendor[] = {
		0x06, 0x01, 0x03, 0x0a, 0x04, 0x00, 0x50, 0x58, 0x45, 0x08,
		0x07, 0x80, 0x00, 0x01, 0x0a, 0x4d, 0x00, 0x01, 0x09, 0x07,
		0x80, 0x00, 0x04, 0x42, 0x6f, 0x6f, 0x74, 0xff };
	struct dhcp_client c;
	struct reply r;
	uint8_t buf[DHCP_MSG_MAX], olen;
	const uint8_t *o;
	size_t len;

	client_started(&c, buf, &len);
	proxy_offer_begin(&r, 0x0a4d0001, 0);
	reply_opt(&r, 43, vendor, sizeof(vendor));
	reply_end(&r);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_NONE);
	ck_assert(c.have_proxy);
	ck_assert_uint_eq(c.proxy.pxe_boot_type, 0x8000);
	ck_assert_uint_eq(c.proxy.pxe_boot_server, 0x0a4d0001);
	ck_assert_uint_eq(dhcp_pxe_server(&c), 0);	/* not bound yet */
	make_plain_offer(&r, XID, DHCP_OFFER, 0x0a4d0005, 0x0a4d002a);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_SEND);
	make_plain_offer(&r, XID, DHCP_ACK, 0x0a4d0005, 0x0a4d002a);
	ck_assert_int_eq(feed(&c, &r, buf, &len), DHCP_A_BOUND);
	ck_assert(!dhcp_lease_has_boot(&c.offer));
	ck_assert_uint_eq(dhcp_pxe_server(&c), 0x0a4d0001);
	/* the REQUEST to port 4011: ciaddr ours, boot item 0x8000 layer 0 */
	len = dhcp_build_pxe_request(&c, buf, sizeof(buf));
	ck_assert_uint_ge(len, 300);
	ck_assert_uint_eq(inet_get32(buf + 12), 0x0a4d002a);
	o = find_opt(buf, len, 53, &olen);
	ck_assert(o && o[0] == DHCP_REQUEST);
	ck_assert_ptr_null(find_opt(buf, len, 50, &olen));
	o = find_opt(buf, len, 43, &olen);
	ck_assert(o && olen == 7 && o[0] == 71 && o[1] == 4 && o[2] == 0x80 &&
		  o[3] == 0 && o[4] == 0 && o[5] == 0 && o[6] == 255);
	ck_assert_ptr_nonnull(find_opt(buf, len, 97, &olen));
	/* a NAK or an ACK without a file is not the answer */
	make_plain_offer(&r, XID, DHCP_ACK, 0x0a4d0001, 0);
	ck_assert(!dhcp_pxe_reply(&c, r.b, r.len));
	/* the boot server's ACK: file and siaddr */
	reply_init(&r, XID, DHCP_ACK);
	inet_put32(r.b + 16, 0);
	inet_put32(r.b + 20, 0x0a4d0001);
	memcpy(r.b + 108, "pxelinux.0", 10);
	reply_ip(&r, 54, 0x0a4d0001);
	reply_end(&r);
	ck_assert(dhcp_pxe_reply(&c, r.b, r.len));
	ck_assert_str_eq(dhcp_lease_bootfile(&c.offer), "pxelinux.0");
	ck_assert_uint_eq(dhcp_lease_tftp_server(&c.offer), 0x0a4d0001);
	ck_assert_uint_eq(c.offer.yiaddr, 0x0a4d002a);	/* ours stays */
	ck_assert_uint_eq(dhcp_pxe_server(&c), 0);	/* done */
}
END_TEST

START_TEST(test_state_machine)
{
	struct dhcp_client c;
	struct reply r;
	uint8_t buf[DHCP_MSG_MAX], olen;
	const uint8_t *o;
	size_t len;

	client_started(&c, buf, &len);
	ck_assert_uint_eq(c.timeout_ms, 1000);
	/* someone else's offer, then an ACK out of turn: ignored */
	make_offer(&r, XID + 5, DHCP_OFFER);
	ck_assert_int_eq(dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf),
					     &len), DHCP_A_NONE);
	make_offer(&r, XID, DHCP_ACK);
	ck_assert_int_eq(dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf),
					     &len), DHCP_A_NONE);
	ck_assert_int_eq(c.state, DHCP_S_SELECTING);
	/* our OFFER: REQUEST with 50 and 54 */
	make_offer(&r, XID, DHCP_OFFER);
	ck_assert_int_eq(dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf),
					     &len), DHCP_A_SEND);
	ck_assert_int_eq(c.state, DHCP_S_REQUESTING);
	o = find_opt(buf, len, 53, &olen);
	ck_assert(o && o[0] == DHCP_REQUEST);
	o = find_opt(buf, len, 50, &olen);
	ck_assert(o && olen == 4 && inet_get32(o) == 0x0a000064);
	o = find_opt(buf, len, 54, &olen);
	ck_assert(o && olen == 4 && inet_get32(o) == 0x0a000001);
	ck_assert_ptr_nonnull(find_opt(buf, len, 60, &olen));
	/* a second OFFER while requesting is ignored */
	ck_assert_int_eq(dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf),
					     &len), DHCP_A_NONE);
	/* ACK with a different yiaddr: ignored */
	make_offer(&r, XID, DHCP_ACK);
	inet_put32(r.b + 16, 0x0a000099);
	ck_assert_int_eq(dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf),
					     &len), DHCP_A_NONE);
	make_offer(&r, XID, DHCP_ACK);
	ck_assert_int_eq(dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf),
					     &len), DHCP_A_BOUND);
	ck_assert_int_eq(c.state, DHCP_S_BOUND);
	ck_assert_uint_eq(c.offer.type, DHCP_ACK);
	ck_assert_str_eq(dhcp_lease_bootfile(&c.offer), "pxelinux.0");
}
END_TEST

START_TEST(test_ack_without_boot_info)
{
	struct dhcp_client c;
	struct reply r;
	uint8_t buf[DHCP_MSG_MAX];
	size_t len;

	client_started(&c, buf, &len);
	make_offer(&r, XID, DHCP_OFFER);
	dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf), &len);
	/* a bare ACK: no siaddr, no file, no 66/67/209/210 */
	reply_init(&r, XID, DHCP_ACK);
	inet_put32(r.b + 20, 0);
	reply_ip(&r, 54, 0x0a000001);
	reply_opt(&r, 210, "ack/", 4);
	reply_end(&r);
	ck_assert_int_eq(dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf),
					     &len), DHCP_A_BOUND);
	ck_assert_uint_eq(c.offer.type, DHCP_ACK);
	ck_assert_uint_eq(c.offer.siaddr, 0x0a000001);
	ck_assert_str_eq(c.offer.bootfile, "pxelinux.0");
	ck_assert_str_eq(c.offer.pxe_config, "my.cfg");
	ck_assert_str_eq(c.offer.path_prefix, "ack/");	/* the ACK's wins */
	ck_assert_str_eq(c.offer.file, "fieldfile");
	ck_assert(c.offer.have & DHCP_HAVE_PXE_CONFIG);
}
END_TEST

START_TEST(test_nak_restarts)
{
	struct dhcp_client c;
	struct reply r;
	uint8_t buf[DHCP_MSG_MAX], olen;
	size_t len;

	client_started(&c, buf, &len);
	make_offer(&r, XID, DHCP_OFFER);
	dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf), &len);
	make_offer(&r, XID, DHCP_NAK);
	ck_assert_int_eq(dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf),
					     &len), DHCP_A_SEND);
	ck_assert_int_eq(c.state, DHCP_S_SELECTING);
	ck_assert_uint_ne(c.xid, XID);
	ck_assert_uint_eq(find_opt(buf, len, 53, &olen)[0], DHCP_DISCOVER);
	ck_assert_uint_eq(inet_get32(buf + 4), c.xid);
}
END_TEST

START_TEST(test_timeouts_backoff)
{
	struct dhcp_client c;
	uint8_t buf[DHCP_MSG_MAX];
	uint32_t expect[] = { 1000, 2000, 4000, 8000, 16000 };
	size_t len;

	dhcp_client_init(&c, mac, NULL, XID);
	dhcp_client_start(&c, buf, sizeof(buf), &len);
	ck_assert_uint_eq(c.timeout_ms, expect[0]);
	for (int i = 1; i < 5; i++) {
		ck_assert_int_eq(dhcp_client_timeout(&c, buf, sizeof(buf),
						     &len), DHCP_A_SEND);
		ck_assert_uint_eq(c.timeout_ms, expect[i]);
		ck_assert_uint_gt(inet_get16(buf + 8), 0);	/* secs */
	}
	ck_assert_int_eq(dhcp_client_timeout(&c, buf, sizeof(buf), &len),
			 DHCP_A_FAILED);
	ck_assert_int_eq(c.state, DHCP_S_FAILED);
	ck_assert_int_eq(dhcp_client_timeout(&c, buf, sizeof(buf), &len),
			 DHCP_A_NONE);
}
END_TEST

START_TEST(test_mutations)
{
	struct reply base, r;
	struct dhcp_lease l;
	struct dhcp_client c;
	uint8_t buf[DHCP_MSG_MAX];
	size_t len;

	make_offer(&base, XID, DHCP_OFFER);
	reply_opt(&base, 52, "\x03", 1);	/* overload: walk file/sname too */
	srand(11);
	for (int i = 0; i < 20000; i++) {
		r = base;
		for (int m = rand() % 8; m >= 0; m--)
			r.b[rand() % r.len] = (uint8_t)rand();
		r.len = (size_t)rand() % (r.len + 1);
		if (dhcp_parse(r.b, r.len, XID, mac, &l) == DHCP_OK) {
			ck_assert_uint_lt(strlen(l.bootfile), DHCP_STR_MAX);
			ck_assert_uint_lt(strlen(l.file), DHCP_STR_MAX);
			ck_assert_uint_lt(strlen(l.sname), DHCP_STR_MAX);
		}
		client_started(&c, buf, &len);
		dhcp_client_receive(&c, r.b, r.len, buf, sizeof(buf), &len);
		ck_assert_uint_le(len, sizeof(buf));
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dhcp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_discover_contents);
	tcase_add_test(tc, test_parse_offer);
	tcase_add_test(tc, test_parse_hostile);
	tcase_add_test(tc, test_overload_and_concat);
	tcase_add_test(tc, test_long_concatenation_bounded);
	tcase_add_test(tc, test_state_machine);
	tcase_add_test(tc, test_several_servers);
	tcase_add_test(tc, test_proxy_offer);
	tcase_add_test(tc, test_proxy_discovery);
	tcase_add_test(tc, test_ack_without_boot_info);
	tcase_add_test(tc, test_nak_restarts);
	tcase_add_test(tc, test_timeouts_backoff);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
