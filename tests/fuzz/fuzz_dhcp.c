// SPDX-License-Identifier: MIT
/*
 * DHCP: the reply parser and the client state machine on hostile replies.
 * The first bytes pick the client's phase; the rest is the server's packet.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcp.h"

static const uint8_t fuzz_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void fuzz_lease_strings(const struct dhcp_lease *l)
{
	const char *f = dhcp_lease_bootfile(l);

	if (f)
		assert(strlen(f) < DHCP_STR_MAX);
	(void)dhcp_lease_tftp_server(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t uuid[16] = { 1, 2, 3 };
	struct dhcp_client c;
	struct dhcp_lease lease;
	uint8_t out[DHCP_MSG_MAX], *msg;
	size_t len = 0;
	uint32_t xid = 0x12345678;

	if (size < 1)
		return 0;
	msg = malloc(size - 1 ? size - 1 : 1);
	memcpy(msg, data + 1, size - 1);
	if (dhcp_parse(msg, size - 1, xid, fuzz_mac, &lease) == 0)
		fuzz_lease_strings(&lease);

	dhcp_client_init(&c, fuzz_mac, uuid, xid);
	(void)dhcp_client_start(&c, out, sizeof(out), &len);
	assert(len <= sizeof(out));
	/* data[0]: how many times the same reply is fed (OFFER then ACK). */
	for (unsigned int i = 0; i <= (data[0] & 3u); i++) {
		len = 0;
		(void)dhcp_client_receive(&c, msg, size - 1, out, sizeof(out),
					  &len);
		assert(len <= sizeof(out));
		fuzz_lease_strings(&c.offer);
	}
	if (data[0] & 4) {
		len = 0;
		(void)dhcp_client_timeout(&c, out, sizeof(out), &len);
		assert(len <= sizeof(out));
	}
	free(msg);
	return 0;
}
