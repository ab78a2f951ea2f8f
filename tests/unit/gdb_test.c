// SPDX-License-Identifier: MIT
/*
 * Unit tests of the GDB stub's pure parts: packet framing (checksums,
 * escapes, run-length encoding, bounds), the register map, the page walk
 * over fake guest memory in every paging form, and the command handler
 * over a fake target, hostile packets included.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/gdb_packet.h"
#include "vmm/gdb_proto.h"
#include "vmm/gdb_regs.h"
#include "vmm/page_walk.h"
#include "tests/lib/fake_gdb_target.h"
#include "tests/unit/unit_main.h"

/* Feed a whole string; return the last non-NONE event. */
static enum gdb_input feed(struct gdb_packet_parser *p, const char *s, size_t n)
{
	enum gdb_input last = GDB_IN_NONE;

	for (size_t i = 0; i < n; i++) {
		enum gdb_input in = gdb_packet_feed(p, (uint8_t)s[i]);

		if (in != GDB_IN_NONE)
			last = in;
	}
	return last;
}

START_TEST(test_packet_checksum)
{
	struct gdb_packet_parser p;

	gdb_packet_parser_init(&p);
	ck_assert_int_eq(feed(&p, "$g#67", 5), GDB_IN_PACKET);
	ck_assert_str_eq((char *)p.body, "g");
	ck_assert_int_eq(feed(&p, "$g#68", 5), GDB_IN_BAD_CHECKSUM);
	ck_assert_int_eq(feed(&p, "$g#zz", 5), GDB_IN_BAD_CHECKSUM);
	ck_assert_int_eq(feed(&p, "+", 1), GDB_IN_ACK);
	ck_assert_int_eq(feed(&p, "-", 1), GDB_IN_NACK);
	ck_assert_int_eq(feed(&p, "\x03", 1), GDB_IN_INTERRUPT);
	/* noise, then a restart in the middle of a body */
	ck_assert_int_eq(feed(&p, "xyz$m1$?#3f", 11), GDB_IN_PACKET);
	ck_assert_str_eq((char *)p.body, "?");
}
END_TEST

START_TEST(test_packet_escape_rle)
{
	struct gdb_packet_parser p;
	uint8_t out[64];
	const uint8_t payload[] = { 'X', '#', '$', '}', '*', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a' };
	size_t n;

	/* encode then decode: the payload comes back */
	n = gdb_packet_encode(out, sizeof(out), payload, sizeof(payload), true);
	ck_assert_uint_gt(n, 0);
	ck_assert_ptr_null(memchr(out + 1, '$', n - 1));
	gdb_packet_parser_init(&p);
	ck_assert_int_eq(feed(&p, (char *)out, n), GDB_IN_PACKET);
	ck_assert_uint_eq(p.len, sizeof(payload));
	ck_assert_mem_eq(p.body, payload, sizeof(payload));
	/* "0*" + ' ' (32 - 29 = 3 more): "0000" */
	n = gdb_packet_encode(out, sizeof(out), (const uint8_t *)"0000", 4, true);
	ck_assert_uint_eq(n, 1 + 3 + 3);
	ck_assert_mem_eq(out, "$0* #", 5);
	/* runs of 7 and 8 would need '#' and '$' as counts: never */
	for (size_t len = 4; len < 40; len++) {
		uint8_t in[40];

		memset(in, 'z', len);
		n = gdb_packet_encode(out, sizeof(out), in, len, true);
		ck_assert_uint_gt(n, 0);
		ck_assert_ptr_null(memchr(out + 1, '#', n - 4));
		ck_assert_ptr_null(memchr(out + 1, '$', n - 1));
		gdb_packet_parser_init(&p);
		ck_assert_int_eq(feed(&p, (char *)out, n), GDB_IN_PACKET);
		ck_assert_uint_eq(p.len, len);
	}
	/* too small an output buffer */
	ck_assert_uint_eq(gdb_packet_encode(out, 4, payload, sizeof(payload), false), 0);
	/* a run-length with nothing before it, or a dangling escape */
	gdb_packet_parser_init(&p);
	ck_assert_int_eq(feed(&p, "$*##4d", 6), GDB_IN_BAD_CHECKSUM);
	ck_assert_int_eq(feed(&p, "$*!#4b", 6), GDB_IN_BAD_ENCODING);
	ck_assert_int_eq(feed(&p, "$a}#de", 6), GDB_IN_BAD_ENCODING);
}
END_TEST

START_TEST(test_packet_too_long)
{
	static char big[GDB_PACKET_MAX + 64];
	struct gdb_packet_parser p;
	unsigned int sum = 0;
	size_t n = sizeof(big) - 4;

	big[0] = '$';
	for (size_t i = 1; i < n; i++) {
		big[i] = 'a';
		sum += 'a';
	}
	snprintf(big + n, 4, "#%02x", sum & 0xff);
	gdb_packet_parser_init(&p);
	ck_assert_int_eq(feed(&p, big, n + 3), GDB_IN_TOO_LONG);
	ck_assert_uint_le(p.len, GDB_PACKET_MAX);
	/* a run-length that would overflow the body is bounded too */
	gdb_packet_parser_init(&p);
	ck_assert_int_eq(feed(&p, "$g#67", 5), GDB_IN_PACKET);
}
END_TEST

START_TEST(test_hex)
{
	const char *s = "ffffffffffffffff,";
	uint64_t v;
	uint8_t b[2];
	char h[4];

	ck_assert(gdb_parse_hex(&s, &v));
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(*s, ',');
	s = "1ffffffffffffffff";
	ck_assert(!gdb_parse_hex(&s, &v));	/* 65 bits */
	s = "xyz";
	ck_assert(!gdb_parse_hex(&s, &v));
	ck_assert(gdb_hex_decode("aB01", b, 2));
	ck_assert_uint_eq(b[0], 0xab);
	ck_assert(!gdb_hex_decode("a", b, 1));
	gdb_hex_encode(b, 2, h);
	ck_assert_mem_eq(h, "ab01", 4);
}
END_TEST

/* ---- register map ---- */

START_TEST(test_regs_layout)
{
	struct gdb_cpu_state st;
	uint8_t raw[16], back[16];

	ck_assert_uint_eq(gdb_regs_total_size(), 600);
	ck_assert_uint_eq(gdb_reg_size(GDB_REG_RIP), 8);
	ck_assert_uint_eq(gdb_reg_size(GDB_REG_EFLAGS), 4);
	ck_assert_uint_eq(gdb_reg_size(GDB_REG_ST0), 10);
	ck_assert_uint_eq(gdb_reg_size(GDB_REG_XMM0), 16);
	ck_assert_uint_eq(gdb_reg_size(GDB_REG_EFER), 8);
	ck_assert_uint_eq(gdb_reg_size(GDB_NR_REGS), 0);
	memset(&st, 0, sizeof(st));
	st.regs.rbx = 0x1122334455667788ULL;
	st.regs.rsp = 0x7000;
	st.regs.rip = 0xffffffff81000000ULL;
	st.regs.rflags = 0x246;
	st.sregs.cs.selector = 0x10;
	st.sregs.gs.selector = 0x18;
	st.sregs.fs.base = 0xabc;
	st.sregs.cr3 = 0x9000;
	st.sregs.efer = 0x500;
	st.fpu.fcw = 0x37f;
	st.fpu.ftwx = 0x01;
	st.fpu.mxcsr = 0x1f80;
	st.fpu.xmm[15][0] = 0x5a;
	gdb_reg_get(&st, 1, raw);
	ck_assert_uint_eq(raw[0], 0x88);
	ck_assert_uint_eq(raw[7], 0x11);
	gdb_reg_get(&st, GDB_REG_RSP, raw);
	ck_assert_uint_eq(raw[1], 0x70);
	gdb_reg_get(&st, GDB_REG_RIP, raw);
	ck_assert_uint_eq(raw[7], 0xff);
	gdb_reg_get(&st, GDB_REG_EFLAGS, raw);
	ck_assert_uint_eq(raw[0], 0x46);
	gdb_reg_get(&st, GDB_REG_CS, raw);
	ck_assert_uint_eq(raw[0], 0x10);
	gdb_reg_get(&st, GDB_REG_GS, raw);
	ck_assert_uint_eq(raw[0], 0x18);
	gdb_reg_get(&st, GDB_REG_FCTRL, raw);
	ck_assert_uint_eq(raw[0], 0x7f);
	gdb_reg_get(&st, GDB_REG_FCTRL + 2, raw);	/* ftag: st0 valid, rest empty */
	ck_assert_uint_eq(raw[0] | raw[1] << 8, 0xfffc);
	gdb_reg_get(&st, GDB_REG_XMM0 + 15, raw);
	ck_assert_uint_eq(raw[0], 0x5a);
	gdb_reg_get(&st, GDB_REG_MXCSR, raw);
	ck_assert_uint_eq(raw[0] | raw[1] << 8, 0x1f80);
	gdb_reg_get(&st, GDB_REG_FS_BASE, raw);
	ck_assert_uint_eq(raw[0] | raw[1] << 8, 0xabc);
	gdb_reg_get(&st, GDB_REG_CR0 + 2, raw);		/* cr3 */
	ck_assert_uint_eq(raw[1], 0x90);
	gdb_reg_get(&st, GDB_REG_EFER, raw);
	ck_assert_uint_eq(raw[1], 0x05);
	/* every register: set what get gave, get it back */
	for (unsigned int n = 0; n < GDB_NR_REGS; n++) {
		unsigned int size = gdb_reg_size(n);

		if (n == GDB_REG_FCTRL + 3 || n == GDB_REG_FCTRL + 5)
			continue;	/* fiseg/foseg are always 0 */
		for (unsigned int i = 0; i < size; i++)
			raw[i] = (uint8_t)(n * 7 + i);
		if (n == GDB_REG_FCTRL + 2) {	/* tag: only valid/empty survive */
			raw[0] = 0xf0;
			raw[1] = 0x0f;
			raw[2] = raw[3] = 0;
		}
		if (n >= GDB_REG_CS && n <= GDB_REG_GS)
			raw[2] = raw[3] = 0;	/* selectors are 16-bit */
		if ((n >= GDB_REG_FCTRL && n <= GDB_REG_FCTRL + 1) || n == GDB_REG_FOP)
			raw[2] = raw[3] = 0;
		ck_assert(gdb_reg_set(&st, n, raw));
		ck_assert(gdb_reg_get(&st, n, back));
		ck_assert_msg(!memcmp(raw, back, size), "register %u", n);
	}
	ck_assert(!gdb_reg_set(&st, GDB_NR_REGS, raw));
	ck_assert_ptr_nonnull(strstr(gdb_regs_target_xml(), "i386:x86-64"));
}
END_TEST

/* ---- page walk over fake guest memory ---- */

#define FAKE_MEM (4u << 20)
static uint8_t fake_mem[FAKE_MEM];

static bool fake_read(void *ctx, uint64_t gpa, unsigned int size, uint64_t *v)
{
	(void)ctx;
	if (gpa >= FAKE_MEM || FAKE_MEM - gpa < size)
		return false;
	*v = 0;
	memcpy(v, fake_mem + gpa, size);
	return true;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(fake_mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(fake_mem + gpa, &v, 4);
}

static uint64_t idx(uint64_t va, unsigned int level)
{
	return (va >> (12 + 9 * (level - 1))) & 0x1ff;
}

START_TEST(test_walk_long_mode)
{
	struct page_walk_regs r = { .cr0 = 0x80000011, .cr3 = 0x1000,
				    .cr4 = 0x20, .efer = 0x500 };
	uint64_t va = 0xffffffff81234567ULL, gpa, left;

	memset(fake_mem, 0, sizeof(fake_mem));
	/* 4 KiB page: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 */
	put64(0x1000 + idx(va, 4) * 8, 0x2000 | 3);
	put64(0x2000 + idx(va, 3) * 8, 0x3000 | 3);
	put64(0x3000 + idx(va, 2) * 8, 0x4000 | 3);
	put64(0x4000 + idx(va, 1) * 8, 0x200000 | 3);
	ck_assert_int_eq(page_walk(&r, va, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0x200567);
	ck_assert_uint_eq(left, 0x1000 - 0x567);
	/* not present */
	ck_assert_int_eq(page_walk(&r, va + 0x1000, fake_read, NULL, &gpa, &left), -EFAULT);
	/* 2 MiB page */
	put64(0x3000 + idx(va + 0x200000, 2) * 8, 0x400000 | 0x83);
	ck_assert_int_eq(page_walk(&r, va + 0x200000, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0x434567);
	ck_assert_uint_eq(left, 0x200000 - 0x34567);
	/* 2 MiB page with a reserved low bit: refused */
	put64(0x3000 + idx(va + 0x400000, 2) * 8, 0x400000 | 0x2000 | 0x83);
	ck_assert_int_eq(page_walk(&r, va + 0x400000, fake_read, NULL, &gpa, &left), -EFAULT);
	/* 1 GiB page */
	va = 0x0000004000001234ULL;
	put64(0x1000 + idx(va, 4) * 8, 0x5000 | 3);
	put64(0x5000 + idx(va, 3) * 8, 0x40000000ULL | 0x83);
	ck_assert_int_eq(page_walk(&r, va, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0x40001234ULL);
	ck_assert_uint_eq(left, 0x40000000ULL - 0x1234);
	/* PS in a PML4 entry is reserved */
	put64(0x1000 + 5 * 8, 0x6000 | 0x83);
	ck_assert_int_eq(page_walk(&r, 5ULL << 39, fake_read, NULL, &gpa, &left), -EFAULT);
	/* a table outside guest memory */
	put64(0x1000 + 6 * 8, 0x7fff0000000ULL | 3);
	ck_assert_int_eq(page_walk(&r, 6ULL << 39, fake_read, NULL, &gpa, &left), -EFAULT);
	/* non-canonical addresses */
	ck_assert_int_eq(page_walk(&r, 0x0000800000000000ULL, fake_read, NULL, &gpa, &left), -EINVAL);
	ck_assert_int_eq(page_walk(&r, 0xffff7fffffffffffULL, fake_read, NULL, &gpa, &left), -EINVAL);
}
END_TEST

START_TEST(test_walk_five_level)
{
	struct page_walk_regs r = { .cr0 = 0x80000011, .cr3 = 0x1000,
				    .cr4 = 0x20 | 0x1000, .efer = 0x500 };
	uint64_t va = 0xff00123456789abcULL, gpa, left;

	memset(fake_mem, 0, sizeof(fake_mem));
	put64(0x1000 + ((va >> 48) & 0x1ff) * 8, 0x2000 | 3);
	put64(0x2000 + idx(va, 4) * 8, 0x3000 | 3);
	put64(0x3000 + idx(va, 3) * 8, 0x4000 | 3);
	put64(0x4000 + idx(va, 2) * 8, 0x5000 | 3);
	put64(0x5000 + idx(va, 1) * 8, 0x123000 | 3);
	ck_assert_int_eq(page_walk(&r, va, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0x123abc);
	/* canonical for 5 levels, not for 4 */
	ck_assert_int_eq(page_walk(&r, 0x0100000000000000ULL, fake_read, NULL, &gpa, &left), -EINVAL);
	r.cr4 &= ~0x1000ULL;
	ck_assert_int_eq(page_walk(&r, va, fake_read, NULL, &gpa, &left), -EINVAL);
}
END_TEST

START_TEST(test_walk_legacy)
{
	struct page_walk_regs r = { .cr0 = 0x11 };
	uint64_t gpa, left;

	memset(fake_mem, 0, sizeof(fake_mem));
	/* paging off: physical */
	ck_assert_int_eq(page_walk(&r, 0x123456, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0x123456);
	ck_assert_uint_eq(left, 0x1000 - 0x456);
	/* 32-bit paging: 4 KiB and 4 MiB (PSE) */
	r = (struct page_walk_regs){ .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x10 };
	put32(0x1000 + (0xc0001234 >> 22) * 4, 0x2000 | 3);
	put32(0x2000 + ((0xc0001234 >> 12) & 0x3ff) * 4, 0x300000 | 3);
	ck_assert_int_eq(page_walk(&r, 0xc0001234, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0x300234);
	put32(0x1000 + (0x80123456 >> 22) * 4, 0x00c00000 | 0x83);
	ck_assert_int_eq(page_walk(&r, 0x80123456, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0xd23456);
	ck_assert_int_eq(page_walk(&r, 0x100000000ULL, fake_read, NULL, &gpa, &left), -EINVAL);
	/* PAE: PDPT at CR3, 2 MiB and 4 KiB */
	r = (struct page_walk_regs){ .cr0 = 0x80000011, .cr3 = 0x1020, .cr4 = 0x20 };
	put64(0x1020 + 3 * 8, 0x5000 | 1);
	put64(0x5000 + ((0xc0201234ULL >> 21) & 0x1ff) * 8, 0x200000 | 0x83);
	ck_assert_int_eq(page_walk(&r, 0xc0201234, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0x201234);
	put64(0x5000 + ((0xc0001234ULL >> 21) & 0x1ff) * 8, 0x6000 | 3);
	put64(0x6000 + ((0xc0001234ULL >> 12) & 0x1ff) * 8, 0x7000 | 3);
	ck_assert_int_eq(page_walk(&r, 0xc0001234, fake_read, NULL, &gpa, &left), 0);
	ck_assert_uint_eq(gpa, 0x7234);
	ck_assert_int_eq(page_walk(&r, 0x00001234, fake_read, NULL, &gpa, &left), -EFAULT);
}
END_TEST

/* ---- the command handler over a fake target ---- */

static enum gdb_action cmd(struct gdb_session *s, const char *body)
{
	return gdb_handle_packet(s, body, strlen(body));
}

START_TEST(test_proto_commands)
{
	static struct fake_gdb_target t;
	static struct gdb_session s;
	static char g[2000];

	memset(&t, 0, sizeof(t));
	t.cpu[1].regs.rip = 0x1234;
	t.mem[0] = 0xaa;
	gdb_session_init(&s, &fake_gdb_ops, &t, FAKE_GDB_CPUS);
	ck_assert_int_eq(cmd(&s, "qSupported:swbreak+"), GDB_ACT_REPLY);
	ck_assert_ptr_nonnull(strstr(s.reply, "PacketSize=1000"));
	ck_assert_ptr_nonnull(strstr(s.reply, "qXfer:features:read+"));
	cmd(&s, "QStartNoAckMode");
	ck_assert(s.no_ack);
	cmd(&s, "?");
	ck_assert_str_eq(s.reply, "T05thread:1;");
	cmd(&s, "qfThreadInfo");
	ck_assert_str_eq(s.reply, "m1,2");
	cmd(&s, "qsThreadInfo");
	ck_assert_str_eq(s.reply, "l");
	cmd(&s, "qThreadExtraInfo,2");
	ck_assert_str_eq(s.reply, "764350552031");	/* "vCPU 1" */
	cmd(&s, "qXfer:threads:read::0,1000");
	ck_assert_ptr_nonnull(strstr(s.reply, "name=\"vCPU 1\""));
	cmd(&s, "qXfer:features:read:target.xml:0,10");
	ck_assert_int_eq(s.reply[0], 'm');
	ck_assert_uint_eq(s.reply_len, 17);
	cmd(&s, "qXfer:features:read:target.xml:100000,10");
	ck_assert_str_eq(s.reply, "l");
	cmd(&s, "Hg2");
	ck_assert_str_eq(s.reply, "OK");
	cmd(&s, "g");
	ck_assert_uint_eq(s.reply_len, 1200);
	ck_assert_mem_eq(s.reply + 16 * 16, "3412000000000000", 16);	/* rip */
	memcpy(g, s.reply, 1200);
	g[16 * 16 + 1] = '9';
	g[1200] = 0;
	snprintf(s.reply, 8, "G");
	{
		static char gp[2100];

		snprintf(gp, sizeof(gp), "G%s", g);
		ck_assert_int_eq(cmd(&s, gp), GDB_ACT_REPLY);
		ck_assert_str_eq(s.reply, "OK");
	}
	ck_assert_uint_eq(t.cpu[1].regs.rip, 0x1239);
	cmd(&s, "p10");
	ck_assert_str_eq(s.reply, "3912000000000000");
	cmd(&s, "P0=0100000000000000");
	ck_assert_str_eq(s.reply, "OK");
	ck_assert_uint_eq(t.cpu[1].regs.rax, 1);
	cmd(&s, "m1000,2");
	ck_assert_str_eq(s.reply, "aa00");
	cmd(&s, "M1001,2:beef");
	ck_assert_str_eq(s.reply, "OK");
	ck_assert_uint_eq(t.mem[2], 0xef);
	ck_assert_int_eq(gdb_handle_packet(&s, "X1003,2:\x23\x7d", 10), GDB_ACT_REPLY);
	ck_assert_str_eq(s.reply, "OK");
	ck_assert_uint_eq(t.mem[4], 0x7d);
	cmd(&s, "m2ffe,10");	/* a short read at the end of memory */
	ck_assert_uint_eq(s.reply_len, 4);
	cmd(&s, "Z0,1000,1");
	ck_assert_str_eq(s.reply, "OK");
	cmd(&s, "z0,1000,1");
	ck_assert_str_eq(s.reply, "OK");
	cmd(&s, "Z3,1000,4");
	ck_assert_str_eq(s.reply, "");	/* not supported by this target */
	ck_assert_int_eq(cmd(&s, "vCont;s:2;c"), GDB_ACT_STEP);
	ck_assert_uint_eq(s.step_cpu, 1);
	ck_assert_int_eq(cmd(&s, "vCont;c"), GDB_ACT_CONTINUE);
	ck_assert_int_eq(cmd(&s, "vCont;C05:1"), GDB_ACT_CONTINUE);
	cmd(&s, "vCont?");
	ck_assert_str_eq(s.reply, "vCont;c;C;s;S");
	ck_assert_int_eq(cmd(&s, "c"), GDB_ACT_CONTINUE);
	ck_assert_int_eq(cmd(&s, "s"), GDB_ACT_STEP);
	ck_assert_int_eq(cmd(&s, "k"), GDB_ACT_KILL);
	ck_assert_int_eq(cmd(&s, "D"), GDB_ACT_DETACH);
	cmd(&s, "vMustReplyEmpty");
	ck_assert_str_eq(s.reply, "");
	s.stop_reason = GDB_STOP_WATCH;
	s.watch_addr = 0x1000;
	s.stop_cpu = 1;
	gdb_stop_reply(&s);
	ck_assert_str_eq(s.reply, "T05thread:2;watch:1000;");
}
END_TEST

/* Hostile packets: an E.. reply (or empty), never a crash. */
START_TEST(test_proto_hostile)
{
	static struct fake_gdb_target t;
	static struct gdb_session s;
	static const char *const bad[] = {
		"m", "mzz,1", "m1000", "m1000,", "m0,1", "mffffffffffffffff,ffffffffffffffff",
		"m1ffffffffffffffff,1", "M1000,2:be", "M1000,1:zz", "M1000,ffffffff:00",
		"X1000,5:ab", "X", "p", "p41", "pffffffffffffffffff", "P0=01", "P0", "P99=00",
		"G00", "Hg3", "Hgzz", "Hx1", "T0a", "Z9,0,0", "Z0", "Z0,zz,1",
		"vCont;x", "vCont;s:9", "vCont;C", "vCont;czz", "cxyz", "qXfer:features:read:x.xml:0,1",
		"qXfer:features:read:target.xml:zz", "qThreadExtraInfo,9", "qXfer:threads:read::",
		"g1",
	};

	memset(&t, 0, sizeof(t));
	gdb_session_init(&s, &fake_gdb_ops, &t, FAKE_GDB_CPUS);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum gdb_action a = cmd(&s, bad[i]);

		ck_assert_msg(a == GDB_ACT_REPLY, "packet %s", bad[i]);
		ck_assert_msg(s.reply[0] == 'E' || s.reply_len == 0 ||
			      !strcmp(s.reply, "l"), "packet %s -> %s", bad[i], s.reply);
	}
	ck_assert_int_eq(gdb_handle_packet(&s, "", 0), GDB_ACT_REPLY);
}
END_TEST

static Suite *gdb_suite(void)
{
	Suite *s = suite_create("gdb");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_packet_checksum);
	tcase_add_test(tc, test_packet_escape_rle);
	tcase_add_test(tc, test_packet_too_long);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_regs_layout);
	tcase_add_test(tc, test_walk_long_mode);
	tcase_add_test(tc, test_walk_five_level);
	tcase_add_test(tc, test_walk_legacy);
	tcase_add_test(tc, test_proto_commands);
	tcase_add_test(tc, test_proto_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(gdb_suite());
}
