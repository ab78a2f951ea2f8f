// SPDX-License-Identifier: MIT
/*
 * TFTP client on hostile servers: the input is a sequence of packets
 * (2-byte length, 2-byte source port, flags byte, bytes).  A stored block must lie
 * inside the room the request gave; nothing is read past a packet.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/tftp.h"
#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct tftp_request req = {
		.filename = "pxelinux.cfg/default",
		.max_size = 1 + (fuzz_u32(&in) & 0xfffff),
		.blksize = fuzz_u16(&in),
		.windowsize = fuzz_u8(&in),
		.tsize = fuzz_u8(&in) & 1,
	};
	struct tftp_client *c = calloc(1, sizeof(*c));

	(void)tftp_start(c, &req);
	assert(c->tx_len <= sizeof(c->tx));
	for (unsigned int n = 0; n < 64 && in.left; n++) {
		uint16_t len = fuzz_u16(&in) & 0x7ff;
		uint16_t port = fuzz_u16(&in);
		uint8_t flags = fuzz_u8(&in);
		struct tftp_block blk = { 0 };
		size_t avail;
		uint8_t *pkt;

		if (len > in.left)
			len = (uint16_t)in.left;
		pkt = malloc(len ? len : 1);
		fuzz_take(&in, pkt, len);
		/* A DATA payload may sit apart: only its header is readable. */
		avail = (flags & 1) && len > 4 ? 4 : len;
		if (flags & 2) {
			(void)tftp_timeout(c);
		} else {
			(void)tftp_receive(c, port, pkt, avail, len, &blk);
			if (blk.stored) {
				assert(blk.len <= TFTP_BLKSIZE_MAX);
				assert(blk.offset <= req.max_size &&
				       blk.len <= req.max_size - blk.offset);
			}
		}
		assert(c->tx_len <= sizeof(c->tx));
		assert(memchr(c->error_msg, 0, sizeof(c->error_msg)));
		for (unsigned int k = 0; k < 4; k++) {
			(void)tftp_next_offset(c, k);
			(void)tftp_next_block(c, k);
		}
		assert(tftp_rx_payload_max(c) <= TFTP_BLKSIZE_MAX);
		free(pkt);
	}
	free(c);
	return 0;
}
