/* SPDX-License-Identifier: MIT */
/*
 * DHCP client for PXE boot (RFC 2131/2132, PXE 2.1 options): builds
 * DISCOVER/REQUEST, parses OFFER/ACK/NAK (option overload 52 and RFC 3396
 * split options included) and runs the INIT-SELECTING-REQUESTING-BOUND
 * state machine.  Pure functions over byte buffers; time is a number the
 * caller acts on.  Freestanding.
 */
#ifndef MINIVMM_NET_DHCP_H
#define MINIVMM_NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define DHCP_FIXED_LEN		236	/* BOOTP header up to the magic cookie */
#define DHCP_MIN_LEN		240	/* ... plus the cookie */
#define DHCP_MSG_MAX		576	/* what we build: fits every server */
#define DHCP_STR_MAX		256	/* strings: 255 bytes + NUL */

/* Message types (option 53). */
enum dhcp_type {
	DHCP_DISCOVER = 1, DHCP_OFFER, DHCP_REQUEST, DHCP_DECLINE,
	DHCP_ACK, DHCP_NAK, DHCP_RELEASE, DHCP_INFORM,
};

/* What a server told us (OFFER/ACK), strings NUL-terminated. */
struct dhcp_lease {
	uint8_t type;			/* option 53 */
	uint32_t xid;
	uint32_t yiaddr;		/* our address */
	uint32_t siaddr;		/* next-server (TFTP) */
	uint32_t giaddr;
	uint32_t server_id;		/* option 54 */
	uint32_t subnet_mask;		/* 1 */
	uint32_t router;		/* 3 (first) */
	uint32_t dns;			/* 6 (first) */
	uint32_t broadcast;		/* 28 */
	uint32_t lease_secs;		/* 51 */
	char hostname[DHCP_STR_MAX];	/* 12 */
	char domain[DHCP_STR_MAX];	/* 15 */
	char sname[DHCP_STR_MAX];	/* sname field unless overloaded */
	char file[DHCP_STR_MAX];	/* file field unless overloaded */
	char tftp_server[DHCP_STR_MAX];	/* 66 */
	char bootfile[DHCP_STR_MAX];	/* 67 */
	char pxe_config[DHCP_STR_MAX];	/* 209 */
	char path_prefix[DHCP_STR_MAX];	/* 210 */
	uint32_t have;			/* DHCP_HAVE_* bits for options seen */
	/* PXE vendor options (43) of a ProxyDHCP offer: the first boot
	 * menu item's server type and that type's first boot server. */
	uint16_t pxe_boot_type;		/* 0: no menu */
	uint32_t pxe_boot_server;	/* 0: ask the proxy itself */
};

#define DHCP_HAVE_SUBNET	(1u << 0)
#define DHCP_HAVE_ROUTER	(1u << 1)
#define DHCP_HAVE_DNS		(1u << 2)
#define DHCP_HAVE_BROADCAST	(1u << 3)
#define DHCP_HAVE_LEASE		(1u << 4)
#define DHCP_HAVE_SERVER_ID	(1u << 5)
#define DHCP_HAVE_TFTP_SERVER	(1u << 6)
#define DHCP_HAVE_BOOTFILE	(1u << 7)
#define DHCP_HAVE_PXE_CONFIG	(1u << 8)
#define DHCP_HAVE_PATH_PREFIX	(1u << 9)
#define DHCP_HAVE_PXECLIENT	(1u << 10)	/* option 60 "PXEClient..." */
#define DHCP_HAVE_PXE_MENU	(1u << 11)	/* 43 with a boot menu item */

#define DHCP_PXE_PORT		4011	/* PXE boot server discovery */

enum dhcp_rc {
	DHCP_OK = 0,
	DHCP_E_SHORT = -1,		/* truncated or no room */
	DHCP_E_BAD = -2,		/* not a BOOTREPLY/ethernet, bad cookie,
					   overlong option, no type */
	DHCP_E_NOT_OURS = -3,		/* xid or chaddr differ */
};

/*
 * Parse a BOOTREPLY of len bytes for our xid and MAC.  Option values that
 * are too short for their type are ignored; an option that runs past the
 * end of its area makes the whole message invalid.
 */
int dhcp_parse(const uint8_t *msg, size_t len, uint32_t xid,
	       const uint8_t mac[6], struct dhcp_lease *out);

/* Whether a lease names something to boot (option 67, file, 209). */
bool dhcp_lease_has_boot(const struct dhcp_lease *l);
/* A ProxyDHCP offer (PXE 2.1): no address, option 60 "PXEClient". */
bool dhcp_lease_is_proxy(const struct dhcp_lease *l);

/* The boot file: option 67 if given, else the file field. */
const char *dhcp_lease_bootfile(const struct dhcp_lease *l);
/* The TFTP server address as PXELINUX picks it: siaddr (next-server),
 * else the server id (option 54).  Option 66 is not used, as in PXELINUX. */
uint32_t dhcp_lease_tftp_server(const struct dhcp_lease *l);

/* ---- client state machine ---- */

enum dhcp_state {
	DHCP_S_INIT = 0,
	DHCP_S_SELECTING,		/* DISCOVER sent, waiting for OFFER */
	DHCP_S_REQUESTING,		/* REQUEST sent, waiting for ACK */
	DHCP_S_BOUND,
	DHCP_S_FAILED,			/* retries exhausted */
};

#define DHCP_MAX_TRIES_DEFAULT	5	/* per phase: 1+2+4+8+16 s = 31 s */
/* An offer without boot information is held this long (DISCOVERs go on)
 * for one with it or a ProxyDHCP offer, as PXE ROMs and iPXE wait. */
#define DHCP_COLLECT_S		2

struct dhcp_client {
	enum dhcp_state state;
	uint8_t mac[6];
	uint8_t uuid[16];
	uint32_t xid;
	unsigned int tries;		/* sends in the current phase */
	unsigned int max_tries;
	unsigned int naks;		/* NAKs seen (restart bound) */
	uint32_t timeout_ms;		/* wait this long for the answer */
	uint32_t elapsed_s;		/* "secs" field: time since start */
	struct dhcp_lease offer;	/* the OFFER we chose, then the ACK */
	/* Offers seen during the first DISCOVER's wait (PXE 2.1: collect,
	 * then prefer one with boot information): */
	struct dhcp_lease plain;	/* first address offer without it */
	struct dhcp_lease proxy;	/* ProxyDHCP offer: no address, PXE */
	bool have_plain, have_proxy;
};

/* What the caller does after an event. */
enum dhcp_action {
	DHCP_A_NONE = 0,		/* keep waiting */
	DHCP_A_SEND,			/* broadcast the built message, then wait
					   c->timeout_ms */
	DHCP_A_BOUND,			/* c->offer holds the ACKed lease */
	DHCP_A_FAILED,			/* give up */
};

/* Initialise; xid should be random (TSC, MAC). */
void dhcp_client_init(struct dhcp_client *c, const uint8_t mac[6],
		      const uint8_t uuid[16], uint32_t xid);
/* Build the first DISCOVER into buf; returns DHCP_A_SEND with *len. */
enum dhcp_action dhcp_client_start(struct dhcp_client *c, uint8_t *buf,
				   size_t cap, size_t *len);
/* A UDP payload arrived on port 68. */
enum dhcp_action dhcp_client_receive(struct dhcp_client *c,
				     const uint8_t *msg, size_t msg_len,
				     uint8_t *buf, size_t cap, size_t *len);
/* c->timeout_ms passed without an answer: retransmit with backoff. */
enum dhcp_action dhcp_client_timeout(struct dhcp_client *c, uint8_t *buf,
				     size_t cap, size_t *len);

/*
 * PXE 2.1 boot server discovery, after binding: a ProxyDHCP offer that
 * lists a boot menu but no boot file is asked on port 4011 with the
 * menu's first boot item.  dhcp_pxe_server() is 0 when nothing needs
 * asking; dhcp_build_pxe_request() builds the REQUEST (ciaddr = our
 * address); dhcp_pxe_reply() takes the boot information of the server's
 * ACK into c->offer (true), or ignores the message (false).
 */
uint32_t dhcp_pxe_server(const struct dhcp_client *c);
size_t dhcp_build_pxe_request(const struct dhcp_client *c, uint8_t *buf,
			      size_t cap);
bool dhcp_pxe_reply(struct dhcp_client *c, const uint8_t *msg, size_t len);

/* Builders, exposed for tests.  Return the length, 0 if cap too small. */
size_t dhcp_build_discover(const struct dhcp_client *c, uint8_t *buf,
			   size_t cap);
size_t dhcp_build_request(const struct dhcp_client *c, uint8_t *buf,
			  size_t cap);

/* PXE client identity we send (option 60). */
#define DHCP_PXE_CLASS_ID	"PXEClient:Arch:00000:UNDI:002001"

#endif
