// SPDX-License-Identifier: MIT
/*
 * Frame parsers of net/inet.c on hostile frames: IPv4/UDP (with a split
 * header part), ARP and ICMP port unreachable.  Each must stay inside the
 * bytes it was given.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/inet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inet_icmp_unreach r;
	struct inet_arp a;
	struct inet_udp u;
	uint8_t *frame;
	size_t avail;

	if (size < 1)
		return 0;
	/* data[0]: how much of the frame the "header part" holds */
	avail = data[0] < size - 1 ? data[0] : size - 1;
	frame = malloc(size - 1 ? size - 1 : 1);
	memcpy(frame, data + 1, size - 1);
	if (inet_udp_parse(frame, avail, size - 1, &u) == INET_OK) {
		assert(u.payload_off <= avail);
		assert(u.payload_off + u.payload_len <= size - 1);
	}
	if (inet_udp_parse(frame, size - 1, size - 1, &u) == INET_OK) {
		assert(u.payload_off + u.payload_len <= size - 1);
		(void)inet_udp_csum_ok(frame, &u);
	}
	(void)inet_arp_parse(frame, size - 1, &a);
	(void)inet_icmp_unreach_parse(frame, size - 1, &r);
	free(frame);
	return 0;
}
