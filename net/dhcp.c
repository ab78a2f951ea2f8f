// SPDX-License-Identifier: MIT
/*
 * DHCP client for PXE boot.  The parser trusts no length: every option
 * must end inside its area (options, or the file/sname fields when option
 * 52 overloads them), strings are bounded and NUL-terminated.
 */
#include "net/dhcp.h"
#include "net/inet.h"

#define DHCP_OFF_OP		0
#define DHCP_OFF_XID		4
#define DHCP_OFF_SECS		8
#define DHCP_OFF_FLAGS		10
#define DHCP_OFF_CIADDR		12
#define DHCP_OFF_YIADDR		16
#define DHCP_OFF_SIADDR		20
#define DHCP_OFF_GIADDR		24
#define DHCP_OFF_CHADDR		28
#define DHCP_OFF_SNAME		44
#define DHCP_SNAME_LEN		64
#define DHCP_OFF_FILE		108
#define DHCP_FILE_LEN		128
#define DHCP_OFF_COOKIE		236
#define DHCP_COOKIE		0x63825363u

#define OPT_PAD			0
#define OPT_SUBNET		1
#define OPT_ROUTER		3
#define OPT_DNS			6
#define OPT_HOSTNAME		12
#define OPT_DOMAIN		15
#define OPT_BROADCAST		28
#define OPT_REQ_IP		50
#define OPT_LEASE		51
#define OPT_VENDOR		43
#define OPT_OVERLOAD		52
#define OPT_MSG_TYPE		53
#define OPT_SERVER_ID		54
#define OPT_PARAM_LIST		55
#define OPT_MAX_SIZE		57
#define OPT_CLASS_ID		60
#define OPT_CLIENT_ID		61
#define OPT_TFTP_SERVER		66
#define OPT_BOOTFILE		67
#define OPT_CLIENT_ARCH		93
#define OPT_CLIENT_NDI		94
#define OPT_UUID		97
#define OPT_PXE_CONFIG		209
#define OPT_PATH_PREFIX		210
#define OPT_END			255

/* What we ask for: addresses, names, boot file and the PXELINUX options. */
static const uint8_t dhcp_param_list[] = {
	OPT_SUBNET, OPT_ROUTER, OPT_DNS, OPT_HOSTNAME, OPT_DOMAIN, 17,
	26, OPT_BROADCAST, 43, OPT_LEASE, OPT_SERVER_ID, 58, 59,
	OPT_CLASS_ID, OPT_TFTP_SERVER, OPT_BOOTFILE, OPT_UUID, 128, 129,
	130, 131, 132, 133, 134, 135, OPT_PXE_CONFIG, OPT_PATH_PREFIX,
};

static void dhcp_zero(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

static bool dhcp_mac_eq(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < 6; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Append len bytes to a NUL-terminated string (RFC 3396 concatenation),
 * stopping at an embedded NUL and at DHCP_STR_MAX - 1. */
static void dhcp_str_append(char *dst, const uint8_t *src, size_t len)
{
	size_t n = 0;

	while (n < DHCP_STR_MAX - 1 && dst[n])
		n++;
	for (size_t i = 0; i < len && src[i] && n < DHCP_STR_MAX - 1; i++)
		dst[n++] = (char)src[i];
	dst[n] = 0;
}

static int dhcp_memcmp(const uint8_t *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != (uint8_t)b[i])
			return 1;
	return 0;
}

#define PXE_BOOT_SERVERS	8	/* {type, count, count x IPv4}... */
#define PXE_BOOT_MENU		9	/* {type, desc len, desc}... */
#define PXE_BOOT_ITEM		71	/* {type, layer}: what we ask for */

/* The boot servers of type for the first menu item, bounded by len. */
static uint32_t dhcp_pxe_find_server(const uint8_t *v, size_t len,
				     uint16_t type)
{
	for (size_t i = 0; i + 3 <= len; ) {
		uint16_t t = inet_get16(v + i);
		size_t n = v[i + 2];

		if (i + 3 + 4 * n > len)
			return 0;
		if (t == type && n)
			return inet_get32(v + i + 3);
		i += 3 + 4 * n;
	}
	return 0;
}

/* Option 43 sub-options of a PXE server (PXE 2.1 table 2-1). */
static void dhcp_parse_pxe_vendor(struct dhcp_lease *l, const uint8_t *v,
				  size_t len)
{
	const uint8_t *servers = NULL;
	size_t servers_len = 0;

	for (size_t i = 0; i < len; ) {
		uint8_t code = v[i], n;

		if (code == 0) {
			i++;
			continue;
		}
		if (code == 255 || i + 2 > len || i + 2 + v[i + 1] > len)
			break;
		n = v[i + 1];
		if (code == PXE_BOOT_MENU && n >= 3 &&
		    !(l->have & DHCP_HAVE_PXE_MENU)) {
			l->pxe_boot_type = inet_get16(v + i + 2);
			l->have |= DHCP_HAVE_PXE_MENU;
		} else if (code == PXE_BOOT_SERVERS) {
			servers = v + i + 2;
			servers_len = n;
		}
		i += 2 + (size_t)n;
	}
	if (servers && (l->have & DHCP_HAVE_PXE_MENU))
		l->pxe_boot_server = dhcp_pxe_find_server(servers, servers_len,
							  l->pxe_boot_type);
}

static void dhcp_store_option(struct dhcp_lease *l, uint8_t code,
			      const uint8_t *v, size_t len)
{
	uint32_t *ip = NULL;
	uint32_t bit = 0;

	switch (code) {
	case OPT_MSG_TYPE:
		if (len >= 1 && !l->type)
			l->type = v[0];
		return;
	case OPT_SUBNET: ip = &l->subnet_mask; bit = DHCP_HAVE_SUBNET; break;
	case OPT_ROUTER: ip = &l->router; bit = DHCP_HAVE_ROUTER; break;
	case OPT_DNS: ip = &l->dns; bit = DHCP_HAVE_DNS; break;
	case OPT_BROADCAST: ip = &l->broadcast; bit = DHCP_HAVE_BROADCAST; break;
	case OPT_LEASE: ip = &l->lease_secs; bit = DHCP_HAVE_LEASE; break;
	case OPT_SERVER_ID: ip = &l->server_id; bit = DHCP_HAVE_SERVER_ID; break;
	case OPT_CLASS_ID:
		/* PXE 2.1: a server speaking PXE says "PXEClient" */
		if (len >= 9 && !dhcp_memcmp(v, "PXEClient", 9))
			l->have |= DHCP_HAVE_PXECLIENT;
		return;
	case OPT_VENDOR:
		dhcp_parse_pxe_vendor(l, v, len);
		return;
	case OPT_HOSTNAME: dhcp_str_append(l->hostname, v, len); return;
	case OPT_DOMAIN: dhcp_str_append(l->domain, v, len); return;
	case OPT_TFTP_SERVER:
		dhcp_str_append(l->tftp_server, v, len);
		l->have |= DHCP_HAVE_TFTP_SERVER;
		return;
	case OPT_BOOTFILE:
		dhcp_str_append(l->bootfile, v, len);
		l->have |= DHCP_HAVE_BOOTFILE;
		return;
	case OPT_PXE_CONFIG:
		dhcp_str_append(l->pxe_config, v, len);
		l->have |= DHCP_HAVE_PXE_CONFIG;
		return;
	case OPT_PATH_PREFIX:
		dhcp_str_append(l->path_prefix, v, len);
		l->have |= DHCP_HAVE_PATH_PREFIX;
		return;
	default:
		return;
	}
	/* Fixed 4-byte values: the first complete instance counts. */
	if (len >= 4 && !(l->have & bit)) {
		*ip = inet_get32(v);
		l->have |= bit;
	}
}

/*
 * Walk one option area.  Returns false if an option overruns it.  With
 * overload != NULL only option 52 is looked for (first pass).
 */
static bool dhcp_walk(const uint8_t *p, size_t len, struct dhcp_lease *l,
		      uint8_t *overload)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i], olen;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return true;
		if (i + 2 > len)
			return false;
		olen = p[i + 1];
		if (i + 2 + olen > len)
			return false;
		if (overload) {
			if (code == OPT_OVERLOAD && olen >= 1)
				*overload = p[i + 2] & 3;
		} else if (code != OPT_OVERLOAD) {
			dhcp_store_option(l, code, p + i + 2, olen);
		}
		i += 2 + (size_t)olen;
	}
	return true;	/* missing END: tolerated, the area simply ends */
}

static void dhcp_copy_field(char *dst, const uint8_t *src, size_t len)
{
	dst[0] = 0;
	dhcp_str_append(dst, src, len);
}

int dhcp_parse(const uint8_t *msg, size_t len, uint32_t xid,
	       const uint8_t mac[6], struct dhcp_lease *out)
{
	const uint8_t *opts = msg + DHCP_MIN_LEN;
	size_t opts_len;
	uint8_t overload = 0;

	dhcp_zero(out, sizeof(*out));
	if (len < DHCP_MIN_LEN)
		return DHCP_E_SHORT;
	if (msg[DHCP_OFF_OP] != 2 || msg[1] != 1 || msg[2] != 6)
		return DHCP_E_BAD;
	if (inet_get32(msg + DHCP_OFF_COOKIE) != DHCP_COOKIE)
		return DHCP_E_BAD;
	if (inet_get32(msg + DHCP_OFF_XID) != xid ||
	    !dhcp_mac_eq(msg + DHCP_OFF_CHADDR, mac))
		return DHCP_E_NOT_OURS;
	opts_len = len - DHCP_MIN_LEN;
	if (!dhcp_walk(opts, opts_len, out, &overload))
		return DHCP_E_BAD;
	/* RFC 2131 4.1: options field first, then file, then sname. */
	if (!dhcp_walk(opts, opts_len, out, NULL))
		return DHCP_E_BAD;
	if ((overload & 1) &&
	    !dhcp_walk(msg + DHCP_OFF_FILE, DHCP_FILE_LEN, out, NULL))
		return DHCP_E_BAD;
	if ((overload & 2) &&
	    !dhcp_walk(msg + DHCP_OFF_SNAME, DHCP_SNAME_LEN, out, NULL))
		return DHCP_E_BAD;
	if (!(overload & 1))
		dhcp_copy_field(out->file, msg + DHCP_OFF_FILE, DHCP_FILE_LEN);
	if (!(overload & 2))
		dhcp_copy_field(out->sname, msg + DHCP_OFF_SNAME,
				DHCP_SNAME_LEN);
	if (!out->type)
		return DHCP_E_BAD;	/* plain BOOTP: not for us */
	out->xid = xid;
	out->yiaddr = inet_get32(msg + DHCP_OFF_YIADDR);
	out->siaddr = inet_get32(msg + DHCP_OFF_SIADDR);
	out->giaddr = inet_get32(msg + DHCP_OFF_GIADDR);
	return DHCP_OK;
}

const char *dhcp_lease_bootfile(const struct dhcp_lease *l)
{
	return l->bootfile[0] ? l->bootfile : l->file;
}

uint32_t dhcp_lease_tftp_server(const struct dhcp_lease *l)
{
	return l->siaddr ? l->siaddr : l->server_id;
}

/* ---- building ---- */

struct dhcp_writer {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

static void dhcp_put_opt(struct dhcp_writer *w, uint8_t code,
			 const void *val, uint8_t len)
{
	const uint8_t *v = val;

	if (w->len + 2 + len + 1 > w->cap) {	/* keep room for END */
		w->overflow = true;
		return;
	}
	w->buf[w->len++] = code;
	w->buf[w->len++] = len;
	for (uint8_t i = 0; i < len; i++)
		w->buf[w->len++] = v[i];
}

static void dhcp_put_opt32(struct dhcp_writer *w, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	inet_put32(b, v);
	dhcp_put_opt(w, code, b, 4);
}

static size_t dhcp_build(const struct dhcp_client *c, uint8_t *buf,
			 size_t cap, uint8_t type, bool pxe)
{
	struct dhcp_writer w = { .buf = buf, .cap = cap };
	static const uint8_t arch[2] = { 0, 0 };	/* x86 BIOS */
	static const uint8_t ndi[3] = { 1, 2, 1 };	/* UNDI 2.1 */
	uint8_t maxsz[2], cid[7], uuid[17];

	if (cap < DHCP_MSG_MAX)
		return 0;
	dhcp_zero(buf, DHCP_MSG_MAX);
	buf[0] = 1;			/* BOOTREQUEST */
	buf[1] = 1;			/* Ethernet */
	buf[2] = 6;
	inet_put32(buf + DHCP_OFF_XID, c->xid);
	inet_put16(buf + DHCP_OFF_SECS,
		   (uint16_t)(c->elapsed_s > 0xffff ? 0xffff : c->elapsed_s));
	inet_put16(buf + DHCP_OFF_FLAGS, 0x8000);	/* broadcast replies */
	for (int i = 0; i < 6; i++)
		buf[DHCP_OFF_CHADDR + i] = c->mac[i];
	inet_put32(buf + DHCP_OFF_COOKIE, DHCP_COOKIE);
	w.len = DHCP_MIN_LEN;
	w.cap = DHCP_MSG_MAX;

	dhcp_put_opt(&w, OPT_MSG_TYPE, &type, 1);
	if (pxe) {
		/* To a boot server: our address is ours now. */
		uint8_t item[7] = { PXE_BOOT_ITEM, 4,
				    (uint8_t)(c->proxy.pxe_boot_type >> 8),
				    (uint8_t)c->proxy.pxe_boot_type, 0, 0,
				    255 };

		inet_put32(buf + DHCP_OFF_CIADDR, c->offer.yiaddr);
		inet_put16(buf + DHCP_OFF_FLAGS, 0);
		dhcp_put_opt(&w, OPT_VENDOR, item, sizeof(item));
	} else if (type == DHCP_REQUEST) {
		dhcp_put_opt32(&w, OPT_REQ_IP, c->offer.yiaddr);
		dhcp_put_opt32(&w, OPT_SERVER_ID, c->offer.server_id);
	}
	inet_put16(maxsz, 1500);
	dhcp_put_opt(&w, OPT_MAX_SIZE, maxsz, 2);
	dhcp_put_opt(&w, OPT_PARAM_LIST, dhcp_param_list,
		     sizeof(dhcp_param_list));
	dhcp_put_opt(&w, OPT_CLASS_ID, DHCP_PXE_CLASS_ID,
		     sizeof(DHCP_PXE_CLASS_ID) - 1);
	cid[0] = 1;
	for (int i = 0; i < 6; i++)
		cid[1 + i] = c->mac[i];
	dhcp_put_opt(&w, OPT_CLIENT_ID, cid, sizeof(cid));
	dhcp_put_opt(&w, OPT_CLIENT_ARCH, arch, sizeof(arch));
	dhcp_put_opt(&w, OPT_CLIENT_NDI, ndi, sizeof(ndi));
	uuid[0] = 0;
	for (int i = 0; i < 16; i++)
		uuid[1 + i] = c->uuid[i];
	dhcp_put_opt(&w, OPT_UUID, uuid, sizeof(uuid));
	if (w.overflow)
		return 0;
	buf[w.len++] = OPT_END;
	/* Padded to the BOOTP minimum (300 bytes) some relays insist on. */
	return w.len < 300 ? 300 : w.len;
}

size_t dhcp_build_discover(const struct dhcp_client *c, uint8_t *buf,
			   size_t cap)
{
	return dhcp_build(c, buf, cap, DHCP_DISCOVER, false);
}

size_t dhcp_build_request(const struct dhcp_client *c, uint8_t *buf,
			  size_t cap)
{
	return dhcp_build(c, buf, cap, DHCP_REQUEST, false);
}

static void dhcp_lease_keep_boot(struct dhcp_lease *ack,
				 const struct dhcp_lease *offer);

uint32_t dhcp_pxe_server(const struct dhcp_client *c)
{
	if (c->state != DHCP_S_BOUND || dhcp_lease_has_boot(&c->offer) ||
	    !c->have_proxy || !(c->proxy.have & DHCP_HAVE_PXE_MENU))
		return 0;
	return c->proxy.pxe_boot_server ? c->proxy.pxe_boot_server :
	       c->proxy.server_id;
}

size_t dhcp_build_pxe_request(const struct dhcp_client *c, uint8_t *buf,
			      size_t cap)
{
	return dhcp_build(c, buf, cap, DHCP_REQUEST, true);
}

bool dhcp_pxe_reply(struct dhcp_client *c, const uint8_t *msg, size_t len)
{
	struct dhcp_lease l;

	if (!dhcp_pxe_server(c) ||
	    dhcp_parse(msg, len, c->xid, c->mac, &l) != DHCP_OK ||
	    l.type != DHCP_ACK || !dhcp_lease_has_boot(&l))
		return false;
	/* The boot server's siaddr/file/options; our address stays. */
	c->offer.siaddr = l.siaddr ? l.siaddr :
			  (l.have & DHCP_HAVE_SERVER_ID) ? l.server_id :
			  dhcp_pxe_server(c);
	dhcp_lease_keep_boot(&c->offer, &l);
	return true;
}

/* ---- state machine ---- */

static void dhcp_str_copy(char *dst, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i < DHCP_STR_MAX - 1; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

/*
 * Some servers put the boot information in the OFFER only: what the ACK
 * leaves out is taken from the OFFER it confirms.
 */
static void dhcp_lease_keep_boot(struct dhcp_lease *ack,
				 const struct dhcp_lease *offer)
{
	static const uint32_t bits[] = { DHCP_HAVE_TFTP_SERVER,
		DHCP_HAVE_BOOTFILE, DHCP_HAVE_PXE_CONFIG, DHCP_HAVE_PATH_PREFIX };
	char *ack_str[] = { ack->tftp_server, ack->bootfile, ack->pxe_config,
			    ack->path_prefix };
	const char *offer_str[] = { offer->tftp_server, offer->bootfile,
				    offer->pxe_config, offer->path_prefix };

	if (!ack->siaddr)
		ack->siaddr = offer->siaddr;
	if (!ack->file[0])
		dhcp_str_copy(ack->file, offer->file);
	for (unsigned int i = 0; i < 4; i++) {
		if ((ack->have & bits[i]) || !(offer->have & bits[i]))
			continue;
		dhcp_str_copy(ack_str[i], offer_str[i]);
		ack->have |= bits[i];
	}
}

/* Back-off (RFC 2131 4.1, starting shorter as PXE ROMs do): 1, 2, 4, 8, 16 s. */
static uint32_t dhcp_timeout_for(unsigned int tries)
{
	unsigned int shift = tries ? tries - 1 : 0;

	return 1000u << (shift > 5 ? 5 : shift);
}

void dhcp_client_init(struct dhcp_client *c, const uint8_t mac[6],
		      const uint8_t uuid[16], uint32_t xid)
{
	dhcp_zero(c, sizeof(*c));
	for (int i = 0; i < 6; i++)
		c->mac[i] = mac[i];
	for (int i = 0; i < 16; i++)
		c->uuid[i] = uuid ? uuid[i] : 0;
	c->xid = xid;
	c->max_tries = DHCP_MAX_TRIES_DEFAULT;
	c->state = DHCP_S_INIT;
}

static enum dhcp_action dhcp_send(struct dhcp_client *c, uint8_t *buf,
				  size_t cap, size_t *len)
{
	if (c->state == DHCP_S_REQUESTING)
		*len = dhcp_build_request(c, buf, cap);
	else
		*len = dhcp_build_discover(c, buf, cap);
	if (!*len) {
		c->state = DHCP_S_FAILED;
		return DHCP_A_FAILED;
	}
	c->tries++;
	c->timeout_ms = dhcp_timeout_for(c->tries);
	return DHCP_A_SEND;
}

enum dhcp_action dhcp_client_start(struct dhcp_client *c, uint8_t *buf,
				   size_t cap, size_t *len)
{
	c->state = DHCP_S_SELECTING;
	c->tries = 0;
	return dhcp_send(c, buf, cap, len);
}

bool dhcp_lease_has_boot(const struct dhcp_lease *l)
{
	return l->bootfile[0] || l->file[0] || l->pxe_config[0];
}

bool dhcp_lease_is_proxy(const struct dhcp_lease *l)
{
	return !l->yiaddr && (l->have & DHCP_HAVE_PXECLIENT) &&
	       (dhcp_lease_has_boot(l) || (l->have & DHCP_HAVE_PXE_MENU));
}

/* Ask for this offer's address. */
static enum dhcp_action dhcp_select(struct dhcp_client *c,
				    const struct dhcp_lease *l, uint8_t *buf,
				    size_t cap, size_t *len)
{
	c->offer = *l;
	c->state = DHCP_S_REQUESTING;
	c->tries = 0;
	return dhcp_send(c, buf, cap, len);
}

enum dhcp_action dhcp_client_receive(struct dhcp_client *c,
				     const uint8_t *msg, size_t msg_len,
				     uint8_t *buf, size_t cap, size_t *len)
{
	struct dhcp_lease l;

	*len = 0;
	if (dhcp_parse(msg, msg_len, c->xid, c->mac, &l) != DHCP_OK)
		return DHCP_A_NONE;
	switch (c->state) {
	case DHCP_S_SELECTING:
		if (l.type != DHCP_OFFER || !(l.have & DHCP_HAVE_SERVER_ID))
			return DHCP_A_NONE;
		if (!l.yiaddr) {
			/* ProxyDHCP: boot information only, kept for later */
			if (dhcp_lease_is_proxy(&l) && !c->have_proxy) {
				c->proxy = l;
				c->have_proxy = true;
			}
			return c->have_plain ?
			       dhcp_select(c, &c->plain, buf, cap, len) :
			       DHCP_A_NONE;
		}
		/* An offer that says what to boot, or any address once a
		 * proxy said it: take it.  Else wait out the first DISCOVER
		 * for a better one (dhcp_client_timeout). */
		if (dhcp_lease_has_boot(&l) || c->have_proxy)
			return dhcp_select(c, &l, buf, cap, len);
		if (!c->have_plain) {
			c->plain = l;
			c->have_plain = true;
		}
		return DHCP_A_NONE;
	case DHCP_S_REQUESTING:
		/* Answers from other servers (or their late OFFERs) are not ours. */
		if (!(l.have & DHCP_HAVE_SERVER_ID) ||
		    l.server_id != c->offer.server_id)
			return DHCP_A_NONE;
		if (l.type == DHCP_NAK) {
			if (++c->naks > c->max_tries) {
				c->state = DHCP_S_FAILED;
				return DHCP_A_FAILED;
			}
			c->xid++;	/* a new exchange */
			return dhcp_client_start(c, buf, cap, len);
		}
		if (l.type != DHCP_ACK || l.yiaddr != c->offer.yiaddr)
			return DHCP_A_NONE;
		dhcp_lease_keep_boot(&l, &c->offer);
		/* No boot information from our server: the proxy's. */
		if (c->have_proxy && !dhcp_lease_has_boot(&l)) {
			l.siaddr = c->proxy.siaddr ? c->proxy.siaddr :
				   c->proxy.server_id;
			l.file[0] = 0;
			l.have &= ~(DHCP_HAVE_TFTP_SERVER | DHCP_HAVE_BOOTFILE |
				    DHCP_HAVE_PXE_CONFIG |
				    DHCP_HAVE_PATH_PREFIX);
			dhcp_lease_keep_boot(&l, &c->proxy);
		}
		c->offer = l;
		c->state = DHCP_S_BOUND;
		return DHCP_A_BOUND;
	default:
		return DHCP_A_NONE;
	}
}

enum dhcp_action dhcp_client_timeout(struct dhcp_client *c, uint8_t *buf,
				     size_t cap, size_t *len)
{
	*len = 0;
	if (c->state != DHCP_S_SELECTING && c->state != DHCP_S_REQUESTING)
		return DHCP_A_NONE;
	c->elapsed_s += c->timeout_ms / 1000;
	/* Once the collection window is over: the best offer we have. */
	if (c->state == DHCP_S_SELECTING && c->have_plain &&
	    c->elapsed_s >= DHCP_COLLECT_S)
		return dhcp_select(c, &c->plain, buf, cap, len);
	if (c->tries >= c->max_tries) {
		c->state = DHCP_S_FAILED;
		return DHCP_A_FAILED;
	}
	return dhcp_send(c, buf, cap, len);
}
