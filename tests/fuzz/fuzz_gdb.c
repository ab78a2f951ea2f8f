// SPDX-License-Identifier: MIT
/*
 * The GDB stub's input path on a hostile client: bytes go through the
 * packet parser, each complete packet through the command handler over a
 * fake target (two vCPUs, 8 KiB of "guest memory").  Replies must stay in
 * their buffer and encode into a frame.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vmm/gdb_packet.h"
#include "vmm/gdb_proto.h"
#include "tests/lib/fake_gdb_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_gdb_target t;
	static struct gdb_session s;
	static struct gdb_packet_parser p;
	static uint8_t frame[2 * GDB_PACKET_MAX + 8];

	memset(&t, 0, sizeof(t));
	gdb_session_init(&s, &fake_gdb_ops, &t, FAKE_GDB_CPUS);
	gdb_packet_parser_init(&p);
	for (size_t i = 0; i < size; i++) {
		if (gdb_packet_feed(&p, data[i]) != GDB_IN_PACKET)
			continue;
		assert(p.len <= GDB_PACKET_MAX);
		(void)gdb_handle_packet(&s, (const char *)p.body, p.len);
		assert(s.reply_len <= GDB_PACKET_MAX);
		assert(gdb_packet_encode(frame, sizeof(frame), (const uint8_t *)s.reply,
					 s.reply_len, true) > 0);
	}
	return 0;
}
