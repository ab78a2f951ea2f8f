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

struct fuzz_target {
	struct gdb_cpu_state cpu[2];
	uint8_t mem[0x2000];
};

static int ft_get(void *ctx, unsigned int cpu, struct gdb_cpu_state *s)
{
	assert(cpu < 2);
	*s = ((struct fuzz_target *)ctx)->cpu[cpu];
	return 0;
}

static int ft_set(void *ctx, unsigned int cpu, const struct gdb_cpu_state *s)
{
	assert(cpu < 2);
	((struct fuzz_target *)ctx)->cpu[cpu] = *s;
	return 0;
}

static long ft_access(struct fuzz_target *t, uint64_t va, uint8_t *buf, size_t len,
		      bool write)
{
	size_t n;

	if (va < 0x1000 || va >= 0x3000)
		return -EFAULT;
	n = 0x3000 - va < len ? 0x3000 - va : len;
	if (write)
		memcpy(t->mem + (va - 0x1000), buf, n);
	else
		memcpy(buf, t->mem + (va - 0x1000), n);
	return (long)n;
}

static long ft_read(void *ctx, unsigned int cpu, uint64_t va, uint8_t *buf, size_t len)
{
	assert(cpu < 2);
	return ft_access(ctx, va, buf, len, false);
}

static long ft_write(void *ctx, unsigned int cpu, uint64_t va, const uint8_t *buf,
		     size_t len)
{
	assert(cpu < 2);
	return ft_access(ctx, va, (uint8_t *)buf, len, true);
}

static int ft_bp(void *ctx, unsigned int cpu, enum gdb_bp_type type, uint64_t a, uint64_t l)
{
	(void)ctx; (void)a; (void)l;
	assert(cpu < 2 && type <= GDB_WP_ACCESS);
	return type == GDB_WP_READ ? -ENOSYS : 0;
}

static const struct gdb_target_ops ft_ops = { ft_get, ft_set, ft_read, ft_write,
					       ft_bp, ft_bp };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_target t;
	static struct gdb_session s;
	static struct gdb_packet_parser p;
	static uint8_t frame[2 * GDB_PACKET_MAX + 8];

	memset(&t, 0, sizeof(t));
	gdb_session_init(&s, &ft_ops, &t, 2);
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
