// SPDX-License-Identifier: MIT
#include "vmm/gdb_proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define GDB_SIGINT 2
#define GDB_SIGTRAP 5

/* Largest m/M/X transfer: the hex reply must fit the packet. */
#define GDB_MEM_MAX ((GDB_PACKET_MAX - 8) / 2)

void gdb_session_init(struct gdb_session *s, const struct gdb_target_ops *ops,
		      void *ctx, unsigned int nr_cpus)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	s->nr_cpus = nr_cpus;
	s->stop_signal = GDB_SIGTRAP;
}

static enum gdb_action reply_str(struct gdb_session *s, const char *str)
{
	size_t n = strlen(str);

	if (n > GDB_PACKET_MAX)
		n = GDB_PACKET_MAX;
	memcpy(s->reply, str, n);
	s->reply_len = n;
	s->reply[n] = 0;
	return GDB_ACT_REPLY;
}

static enum gdb_action reply_error(struct gdb_session *s, int err)
{
	char e[8];

	if (err < 0)
		err = -err;
	snprintf(e, sizeof(e), "E%02x", err & 0xff);
	return reply_str(s, e);
}

/* Thread ids are vCPU index + 1; 0 and -1 mean "any" and "all". */
static bool parse_thread(const char *p, unsigned int nr, int *cpu)
{
	uint64_t id;

	if (!strcmp(p, "-1") || !strcmp(p, "0")) {
		*cpu = -1;
		return true;
	}
	if (!gdb_parse_hex(&p, &id) || *p || id == 0 || id > nr)
		return false;
	*cpu = (int)(id - 1);
	return true;
}

void gdb_stop_reply(struct gdb_session *s)
{
	int n = snprintf(s->reply, sizeof(s->reply), "T%02xthread:%x;",
			 s->stop_signal & 0xff, s->stop_cpu + 1);

	if (s->stop_reason == GDB_STOP_SWBREAK)
		n += snprintf(s->reply + n, sizeof(s->reply) - n, "swbreak:;");
	else if (s->stop_reason == GDB_STOP_HWBREAK)
		n += snprintf(s->reply + n, sizeof(s->reply) - n, "hwbreak:;");
	else if (s->stop_reason == GDB_STOP_WATCH)
		n += snprintf(s->reply + n, sizeof(s->reply) - n, "watch:%llx;",
			      (unsigned long long)s->watch_addr);
	s->reply_len = (size_t)n;
}

static enum gdb_action cmd_read_regs(struct gdb_session *s)
{
	struct gdb_cpu_state st;
	uint8_t raw[16];
	size_t o = 0;
	int ret = s->ops->get_state(s->ctx, s->g_cpu, &st);

	if (ret)
		return reply_error(s, ret);
	for (unsigned int n = 0; n < GDB_NR_REGS; n++) {
		unsigned int size = gdb_reg_size(n);

		gdb_reg_get(&st, n, raw);
		gdb_hex_encode(raw, size, s->reply + o);
		o += 2 * size;
	}
	s->reply_len = o;
	s->reply[o] = 0;
	return GDB_ACT_REPLY;
}

static enum gdb_action cmd_write_regs(struct gdb_session *s, const char *hex, size_t len)
{
	struct gdb_cpu_state st;
	uint8_t raw[16];
	size_t o = 0;
	int ret;

	if (len != 2 * gdb_regs_total_size())
		return reply_error(s, EINVAL);
	ret = s->ops->get_state(s->ctx, s->g_cpu, &st);
	if (ret)
		return reply_error(s, ret);
	for (unsigned int n = 0; n < GDB_NR_REGS; n++) {
		unsigned int size = gdb_reg_size(n);

		if (!gdb_hex_decode(hex + o, raw, size))
			return reply_error(s, EINVAL);
		gdb_reg_set(&st, n, raw);
		o += 2 * size;
	}
	ret = s->ops->set_state(s->ctx, s->g_cpu, &st);
	return ret ? reply_error(s, ret) : reply_str(s, "OK");
}

static enum gdb_action cmd_read_reg(struct gdb_session *s, const char *p)
{
	struct gdb_cpu_state st;
	uint8_t raw[16];
	uint64_t n;
	int ret;

	if (!gdb_parse_hex(&p, &n) || *p || n >= GDB_NR_REGS)
		return reply_error(s, EINVAL);
	ret = s->ops->get_state(s->ctx, s->g_cpu, &st);
	if (ret)
		return reply_error(s, ret);
	gdb_reg_get(&st, (unsigned int)n, raw);
	gdb_hex_encode(raw, gdb_reg_size((unsigned int)n), s->reply);
	s->reply_len = 2 * gdb_reg_size((unsigned int)n);
	s->reply[s->reply_len] = 0;
	return GDB_ACT_REPLY;
}

static enum gdb_action cmd_write_reg(struct gdb_session *s, const char *p)
{
	struct gdb_cpu_state st;
	uint8_t raw[16];
	uint64_t n;
	int ret;

	if (!gdb_parse_hex(&p, &n) || *p++ != '=' || n >= GDB_NR_REGS ||
	    strlen(p) != 2 * gdb_reg_size((unsigned int)n) ||
	    !gdb_hex_decode(p, raw, gdb_reg_size((unsigned int)n)))
		return reply_error(s, EINVAL);
	ret = s->ops->get_state(s->ctx, s->g_cpu, &st);
	if (!ret) {
		gdb_reg_set(&st, (unsigned int)n, raw);
		ret = s->ops->set_state(s->ctx, s->g_cpu, &st);
	}
	return ret ? reply_error(s, ret) : reply_str(s, "OK");
}

/* "ADDR,LEN" then `sep` (or the end when sep is 0). */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len, char sep)
{
	if (!gdb_parse_hex(p, addr) || *(*p)++ != ',' || !gdb_parse_hex(p, len))
		return false;
	if (sep)
		return *(*p)++ == sep;
	return **p == 0;
}

static enum gdb_action cmd_read_mem(struct gdb_session *s, const char *p)
{
	uint8_t buf[GDB_MEM_MAX];
	uint64_t addr, len;
	long got;

	if (!parse_addr_len(&p, &addr, &len, 0))
		return reply_error(s, EINVAL);
	if (len > GDB_MEM_MAX)
		len = GDB_MEM_MAX;	/* a short reply is allowed */
	if (!len)
		return reply_str(s, "");
	got = s->ops->read_mem(s->ctx, s->g_cpu, addr, buf, len);
	if (got <= 0)
		return reply_error(s, got ? (int)got : EFAULT);
	gdb_hex_encode(buf, (size_t)got, s->reply);
	s->reply_len = 2 * (size_t)got;
	s->reply[s->reply_len] = 0;
	return GDB_ACT_REPLY;
}

static enum gdb_action write_mem(struct gdb_session *s, uint64_t addr,
				 const uint8_t *buf, size_t len)
{
	long done;

	if (!len)
		return reply_str(s, "OK");
	done = s->ops->write_mem(s->ctx, s->g_cpu, addr, buf, len);
	if (done < 0 || (size_t)done != len)
		return reply_error(s, done < 0 ? (int)done : EFAULT);
	return reply_str(s, "OK");
}

static enum gdb_action cmd_write_mem_hex(struct gdb_session *s, const char *p)
{
	uint8_t buf[GDB_MEM_MAX];
	uint64_t addr, len;

	if (!parse_addr_len(&p, &addr, &len, ':') || len > GDB_MEM_MAX ||
	    strlen(p) != 2 * len || !gdb_hex_decode(p, buf, len))
		return reply_error(s, EINVAL);
	return write_mem(s, addr, buf, len);
}

static enum gdb_action cmd_write_mem_bin(struct gdb_session *s, const char *body,
					 size_t body_len)
{
	const char *p = body + 1;
	uint64_t addr, len;
	size_t off;

	if (!parse_addr_len(&p, &addr, &len, ':'))
		return reply_error(s, EINVAL);
	off = (size_t)(p - body);
	if (len > GDB_MEM_MAX || body_len - off != len)
		return reply_error(s, EINVAL);
	return write_mem(s, addr, (const uint8_t *)p, len);
}

static enum gdb_action cmd_breakpoint(struct gdb_session *s, const char *p, bool insert)
{
	uint64_t type, addr, kind;
	int ret;

	if (!gdb_parse_hex(&p, &type) || *p++ != ',' || type > GDB_WP_ACCESS)
		return type > GDB_WP_ACCESS ? reply_str(s, "") : reply_error(s, EINVAL);
	/* Conditions and commands after ';' are not supported: ignored. */
	if (!gdb_parse_hex(&p, &addr) || *p++ != ',' || !gdb_parse_hex(&p, &kind) ||
	    (*p && *p != ';'))
		return reply_error(s, EINVAL);
	ret = (insert ? s->ops->insert_bp : s->ops->remove_bp)(
		s->ctx, s->g_cpu, (enum gdb_bp_type)type, addr, kind);
	if (ret == -ENOSYS)
		return reply_str(s, "");
	return ret ? reply_error(s, ret) : reply_str(s, "OK");
}

/* 'c [addr]' and 's [addr]': resume at addr if given. */
static int set_pc(struct gdb_session *s, unsigned int cpu, const char *p)
{
	struct gdb_cpu_state st;
	uint64_t pc;
	int ret;

	if (!*p)
		return 0;
	if (!gdb_parse_hex(&p, &pc) || *p)
		return -EINVAL;
	ret = s->ops->get_state(s->ctx, cpu, &st);
	if (!ret) {
		st.regs.rip = pc;
		ret = s->ops->set_state(s->ctx, cpu, &st);
	}
	return ret;
}

/*
 * vCont;ACTION[:TID];...  All-stop: a step action steps its vCPU alone
 * (the others stay parked, as the 'c' for them would only resume them
 * after the step); otherwise everything continues.  Signals (C/S) cannot
 * be delivered to a guest and are ignored, as in QEMU.
 */
static enum gdb_action cmd_vcont(struct gdb_session *s, const char *p)
{
	int step = -2;

	while (*p == ';') {
		char a = p[1];
		int cpu = -1;

		p += 2;
		if (a != 'c' && a != 's' && a != 'C' && a != 'S')
			return reply_error(s, EINVAL);
		if (a == 'C' || a == 'S') {
			uint64_t sig;

			if (!gdb_parse_hex(&p, &sig) || sig > 0xff)
				return reply_error(s, EINVAL);
		}
		if (*p == ':') {
			char tid[24];
			size_t n = strcspn(p + 1, ";");

			if (n >= sizeof(tid))
				return reply_error(s, EINVAL);
			memcpy(tid, p + 1, n);
			tid[n] = 0;
			if (!parse_thread(tid, s->nr_cpus, &cpu))
				return reply_error(s, EINVAL);
			p += 1 + n;
		}
		if ((a == 's' || a == 'S') && step == -2)
			step = cpu < 0 ? (int)s->g_cpu : cpu;
	}
	if (*p)
		return reply_error(s, EINVAL);
	if (step >= 0) {
		s->step_cpu = (unsigned int)step;
		return GDB_ACT_STEP;
	}
	return GDB_ACT_CONTINUE;
}

static enum gdb_action cmd_set_thread(struct gdb_session *s, const char *p)
{
	int cpu;

	if ((*p != 'g' && *p != 'c') || !parse_thread(p + 1, s->nr_cpus, &cpu))
		return reply_error(s, EINVAL);
	/* Hc only chooses the vCPU of legacy 's'; vCont names its own. */
	if (*p == 'g' && cpu >= 0)
		s->g_cpu = (unsigned int)cpu;
	else if (*p == 'c' && cpu >= 0)
		s->step_cpu = (unsigned int)cpu;
	return reply_str(s, "OK");
}

/* qXfer:OBJECT:read:ANNEX:OFF,LEN over a document in memory. */
static enum gdb_action xfer_doc(struct gdb_session *s, const char *doc, size_t doc_len,
				const char *p)
{
	uint64_t off, len;

	if (!parse_addr_len(&p, &off, &len, 0))
		return reply_error(s, EINVAL);
	if (len > GDB_PACKET_MAX - 1)
		len = GDB_PACKET_MAX - 1;
	if (off >= doc_len)
		return reply_str(s, "l");
	if (len > doc_len - off)
		len = doc_len - off;
	s->reply[0] = off + len < doc_len ? 'm' : 'l';
	memcpy(s->reply + 1, doc + off, len);
	s->reply_len = 1 + len;
	s->reply[s->reply_len] = 0;
	return GDB_ACT_REPLY;
}

static enum gdb_action xfer_threads(struct gdb_session *s, const char *p)
{
	char doc[GDB_PACKET_MAX];
	size_t n = (size_t)snprintf(doc, sizeof(doc), "<?xml version=\"1.0\"?><threads>");

	for (unsigned int i = 0; i < s->nr_cpus && n < sizeof(doc); i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n,
				      "<thread id=\"%x\" name=\"vCPU %u\"/>", i + 1, i);
	if (n < sizeof(doc))
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</threads>");
	if (n >= sizeof(doc))
		return reply_error(s, ENOSPC);
	return xfer_doc(s, doc, n, p);
}

static enum gdb_action cmd_thread_list(struct gdb_session *s)
{
	size_t n = 0;

	s->reply[n++] = 'm';
	for (unsigned int i = 0; i < s->nr_cpus && n + 12 < GDB_PACKET_MAX; i++)
		n += (size_t)snprintf(s->reply + n, GDB_PACKET_MAX - n, "%s%x",
				      i ? "," : "", i + 1);
	s->reply_len = n;
	return GDB_ACT_REPLY;
}

static enum gdb_action cmd_thread_extra(struct gdb_session *s, const char *p)
{
	char name[24];
	int cpu;
	int n;

	if (!parse_thread(p, s->nr_cpus, &cpu) || cpu < 0)
		return reply_error(s, EINVAL);
	n = snprintf(name, sizeof(name), "vCPU %d", cpu);
	gdb_hex_encode((const uint8_t *)name, (size_t)n, s->reply);
	s->reply_len = 2 * (size_t)n;
	return GDB_ACT_REPLY;
}

static bool starts(const char *body, const char *prefix)
{
	return !strncmp(body, prefix, strlen(prefix));
}

static enum gdb_action cmd_query(struct gdb_session *s, const char *body)
{
	static const char features[] = "qXfer:features:read:target.xml:";
	static const char threads[] = "qXfer:threads:read::";
	char qc[24];

	if (starts(body, "qSupported"))
		return reply_str(s, "PacketSize=1000;qXfer:features:read+;"
				 "qXfer:threads:read+;swbreak+;hwbreak+;"
				 "QStartNoAckMode+;vContSupported+");
	if (starts(body, features))
		return xfer_doc(s, gdb_regs_target_xml(), strlen(gdb_regs_target_xml()),
				body + sizeof(features) - 1);
	if (starts(body, "qXfer:features:read:"))
		return reply_error(s, ENOENT);
	if (starts(body, threads))
		return xfer_threads(s, body + sizeof(threads) - 1);
	if (!strcmp(body, "qfThreadInfo"))
		return cmd_thread_list(s);
	if (!strcmp(body, "qsThreadInfo"))
		return reply_str(s, "l");
	if (starts(body, "qThreadExtraInfo,"))
		return cmd_thread_extra(s, body + strlen("qThreadExtraInfo,"));
	if (!strcmp(body, "qC")) {
		snprintf(qc, sizeof(qc), "QC%x", s->stop_cpu + 1);
		return reply_str(s, qc);
	}
	if (!strcmp(body, "qAttached"))
		return reply_str(s, "1");
	return reply_str(s, "");	/* not supported */
}

enum gdb_action gdb_handle_packet(struct gdb_session *s, const char *body, size_t len)
{
	int cpu;
	int ret;

	s->reply_len = 0;
	s->reply[0] = 0;
	if (!len)
		return reply_str(s, "");
	switch (body[0]) {
	case '?':
		gdb_stop_reply(s);
		return GDB_ACT_REPLY;
	case 'g':
		return len == 1 ? cmd_read_regs(s) : reply_error(s, EINVAL);
	case 'G':
		return cmd_write_regs(s, body + 1, len - 1);
	case 'p':
		return cmd_read_reg(s, body + 1);
	case 'P':
		return cmd_write_reg(s, body + 1);
	case 'm':
		return cmd_read_mem(s, body + 1);
	case 'M':
		return cmd_write_mem_hex(s, body + 1);
	case 'X':
		return cmd_write_mem_bin(s, body, len);
	case 'Z':
	case 'z':
		return cmd_breakpoint(s, body + 1, body[0] == 'Z');
	case 'H':
		return cmd_set_thread(s, body + 1);
	case 'T':
		return parse_thread(body + 1, s->nr_cpus, &cpu) ? reply_str(s, "OK") :
		       reply_error(s, ESRCH);
	case 'c':
		ret = set_pc(s, s->g_cpu, body + 1);
		return ret ? reply_error(s, ret) : GDB_ACT_CONTINUE;
	case 's':
		ret = set_pc(s, s->step_cpu, body + 1);
		return ret ? reply_error(s, ret) : GDB_ACT_STEP;
	case 'k':
		return GDB_ACT_KILL;
	case 'D':
		reply_str(s, "OK");
		return GDB_ACT_DETACH;
	case 'q':
		return cmd_query(s, body);
	case 'Q':
		if (!strcmp(body, "QStartNoAckMode")) {
			reply_str(s, "OK");
			s->no_ack = true;	/* after this reply's ack */
			return GDB_ACT_REPLY;
		}
		return reply_str(s, "");
	case 'v':
		if (!strcmp(body, "vCont?"))
			return reply_str(s, "vCont;c;C;s;S");
		if (starts(body, "vCont;"))
			return cmd_vcont(s, body + 5);
		return reply_str(s, "");	/* vMustReplyEmpty and the rest */
	default:
		return reply_str(s, "");
	}
}
