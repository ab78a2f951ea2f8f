// SPDX-License-Identifier: MIT
#include "vmm/gdb_stub.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "boot/layout.h"
#include "vmm/exit_code.h"
#include "vmm/gdb_packet.h"
#include "vmm/gdb_proto.h"
#include "vmm/log.h"
#include "vmm/page_walk.h"
#include "vmm/pause.h"
#include "vmm/seccomp.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define GDB_MAX_SW_BREAKPOINTS 64
#define GDB_NR_DEBUGREGS 4
#define GDB_INT3 0xcc
#define GDB_SIGINT 2
#define GDB_SIGTRAP 5
#define X86_EXC_DB 1
#define X86_EXC_BP 3
#define DR6_BS (1u << 14)
#define DR7_GE (1u << 9)

struct gdb_sw_bp {
	bool used;
	uint64_t addr;
	uint64_t gpa;
	uint8_t orig;
};

struct gdb_hw_bp {
	bool used;
	enum gdb_bp_type type;
	uint64_t addr, len;
};

struct gdb_stub {
	struct vm *vm;
	int listen_fd;
	int conn_fd;
	int event_fd;		/* a vCPU's debug exit, or the end */
	pthread_t thread;
	bool started;
	bool seccomp;
	atomic_bool quit;
	atomic_int exit_code;	/* for the debugger's "W" at the end */

	bool running;		/* the debugger let the guest run */
	struct gdb_packet_parser parser;
	struct gdb_session sess;
	uint8_t out[2 * GDB_PACKET_MAX + 8];
	size_t out_len;		/* last reply, for a '-' resend */

	struct gdb_sw_bp sw[GDB_MAX_SW_BREAKPOINTS];
	struct gdb_hw_bp hw[GDB_NR_DEBUGREGS];

	/* Written by the vCPU that exits first, read by the stub. */
	pthread_mutex_t hit_lock;
	bool hit;
	unsigned int hit_cpu;
	struct kvm_debug_exit_arch hit_arch;
};

/* ---- target: vCPU state through the pause primitive ---- */

struct gdb_state_op {
	struct gdb_cpu_state *st;
	int ret;
};

static void gdb_get_state_on(struct vcpu *vcpu, void *arg)
{
	struct gdb_state_op *op = arg;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &op->st->regs) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &op->st->sregs) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_FPU, &op->st->fpu) < 0)
		op->ret = -errno;
}

static void gdb_set_state_on(struct vcpu *vcpu, void *arg)
{
	struct gdb_state_op *op = arg;

	if (ioctl(vcpu->fd, KVM_SET_REGS, &op->st->regs) < 0 ||
	    ioctl(vcpu->fd, KVM_SET_SREGS, &op->st->sregs) < 0 ||
	    ioctl(vcpu->fd, KVM_SET_FPU, &op->st->fpu) < 0)
		op->ret = -errno;
}

static int gdb_get_state(void *ctx, unsigned int cpu, struct gdb_cpu_state *st)
{
	struct gdb_stub *s = ctx;
	struct gdb_state_op op = { st, 0 };
	int ret = vm_pause_run_on(s->vm, cpu, gdb_get_state_on, &op);

	return ret ? ret : op.ret;
}

static int gdb_set_state(void *ctx, unsigned int cpu, const struct gdb_cpu_state *st)
{
	struct gdb_stub *s = ctx;
	struct gdb_state_op op = { (struct gdb_cpu_state *)st, 0 };
	int ret = vm_pause_run_on(s->vm, cpu, gdb_set_state_on, &op);

	return ret ? ret : op.ret;
}

static bool gdb_read_phys(void *ctx, uint64_t gpa, unsigned int size, uint64_t *value)
{
	struct guest_mem *mem = ctx;
	uint8_t b[8] = { 0 };

	if (!guest_mem_read(mem, gpa, b, size))
		return false;
	*value = 0;
	for (unsigned int i = 0; i < size; i++)
		*value |= (uint64_t)b[i] << (8 * i);
	return true;
}

/* Guest-virtual va of vCPU cpu to guest-physical, with the bytes left in its page. */
static int gdb_translate(struct gdb_stub *s, unsigned int cpu, uint64_t va,
			 uint64_t *gpa, uint64_t *left)
{
	struct gdb_cpu_state st;
	struct page_walk_regs r;
	int ret = gdb_get_state(s, cpu, &st);

	if (ret)
		return ret;
	r = (struct page_walk_regs){ st.sregs.cr0, st.sregs.cr3, st.sregs.cr4,
				     st.sregs.efer };
	return page_walk(&r, va, gdb_read_phys, &s->vm->mem, gpa, left);
}

static long gdb_access_mem(struct gdb_stub *s, unsigned int cpu, uint64_t va,
			   uint8_t *buf, size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		uint64_t gpa, left;
		int ret = gdb_translate(s, cpu, va + done, &gpa, &left);
		size_t n = len - done;
		bool ok;

		if (ret)
			return done ? (long)done : ret;
		if (n > left)
			n = left;
		ok = write ? guest_mem_write(&s->vm->mem, gpa, buf + done, n) :
			     guest_mem_read(&s->vm->mem, gpa, buf + done, n);
		if (!ok)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

static long gdb_read_mem(void *ctx, unsigned int cpu, uint64_t va, uint8_t *buf, size_t len)
{
	return gdb_access_mem(ctx, cpu, va, buf, len, false);
}

static long gdb_write_mem(void *ctx, unsigned int cpu, uint64_t va, const uint8_t *buf,
			  size_t len)
{
	return gdb_access_mem(ctx, cpu, va, (uint8_t *)buf, len, true);
}

/* ---- breakpoints ---- */

static int gdb_insert_sw(struct gdb_stub *s, unsigned int cpu, uint64_t addr)
{
	struct gdb_sw_bp *free_bp = NULL;
	uint8_t int3 = GDB_INT3;
	uint64_t gpa, left;
	int ret;

	for (unsigned int i = 0; i < GDB_MAX_SW_BREAKPOINTS; i++) {
		if (s->sw[i].used && s->sw[i].addr == addr)
			return 0;
		if (!s->sw[i].used && !free_bp)
			free_bp = &s->sw[i];
	}
	if (!free_bp)
		return -ENOSPC;
	ret = gdb_translate(s, cpu, addr, &gpa, &left);
	if (ret)
		return ret;
	if (!guest_mem_read(&s->vm->mem, gpa, &free_bp->orig, 1) ||
	    !guest_mem_write(&s->vm->mem, gpa, &int3, 1))
		return -EFAULT;
	free_bp->used = true;
	free_bp->addr = addr;
	free_bp->gpa = gpa;
	return 0;
}

static void gdb_remove_sw_slot(struct gdb_stub *s, struct gdb_sw_bp *bp)
{
	uint8_t now;

	/* Only undo our own byte: the guest may have rewritten the page. */
	if (guest_mem_read(&s->vm->mem, bp->gpa, &now, 1) && now == GDB_INT3)
		guest_mem_write(&s->vm->mem, bp->gpa, &bp->orig, 1);
	bp->used = false;
}

static int gdb_remove_sw(struct gdb_stub *s, uint64_t addr)
{
	for (unsigned int i = 0; i < GDB_MAX_SW_BREAKPOINTS; i++)
		if (s->sw[i].used && s->sw[i].addr == addr) {
			gdb_remove_sw_slot(s, &s->sw[i]);
			return 0;
		}
	return -ENOENT;
}

static int gdb_insert_hw(struct gdb_stub *s, enum gdb_bp_type type, uint64_t addr,
			 uint64_t len)
{
	if (type == GDB_BP_HW)
		len = 1;
	else if ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1)))
		return -EINVAL;
	for (unsigned int i = 0; i < GDB_NR_DEBUGREGS; i++)
		if (!s->hw[i].used) {
			s->hw[i] = (struct gdb_hw_bp){ true, type, addr, len };
			return 0;
		}
	return -ENOSPC;
}

static int gdb_remove_hw(struct gdb_stub *s, enum gdb_bp_type type, uint64_t addr)
{
	for (unsigned int i = 0; i < GDB_NR_DEBUGREGS; i++)
		if (s->hw[i].used && s->hw[i].type == type && s->hw[i].addr == addr) {
			s->hw[i].used = false;
			return 0;
		}
	return -ENOENT;
}

static int gdb_insert_bp(void *ctx, unsigned int cpu, enum gdb_bp_type type,
			 uint64_t addr, uint64_t len)
{
	struct gdb_stub *s = ctx;

	if (type == GDB_BP_SW)
		return gdb_insert_sw(s, cpu, addr);
	return gdb_insert_hw(s, type, addr, len);
}

static int gdb_remove_bp(void *ctx, unsigned int cpu, enum gdb_bp_type type,
			 uint64_t addr, uint64_t len)
{
	struct gdb_stub *s = ctx;

	(void)cpu;
	(void)len;
	if (type == GDB_BP_SW)
		return gdb_remove_sw(s, addr);
	return gdb_remove_hw(s, type, addr);
}

static const struct gdb_target_ops gdb_kvm_target = {
	.get_state = gdb_get_state,
	.set_state = gdb_set_state,
	.read_mem = gdb_read_mem,
	.write_mem = gdb_write_mem,
	.insert_bp = gdb_insert_bp,
	.remove_bp = gdb_remove_bp,
};

/* DR7: enable bit, R/W (00 exec, 01 write, 11 read/write), LEN per slot. */
static uint64_t gdb_dr7(const struct gdb_stub *s)
{
	static const unsigned int len_bits[9] = { 0, 0, 1, 0, 3, 0, 0, 0, 2 };
	uint64_t dr7 = 0;

	for (unsigned int i = 0; i < GDB_NR_DEBUGREGS; i++) {
		const struct gdb_hw_bp *b = &s->hw[i];
		unsigned int rw;

		if (!b->used)
			continue;
		/* x86 has no read-only watchpoint: a read one watches access. */
		rw = b->type == GDB_BP_HW ? 0 : b->type == GDB_WP_WRITE ? 1 : 3;
		dr7 |= 1ULL << (2 * i);
		dr7 |= (uint64_t)rw << (16 + 4 * i);
		if (b->type != GDB_BP_HW)
			dr7 |= (uint64_t)len_bits[b->len] << (18 + 4 * i);
	}
	return dr7 ? dr7 | DR7_GE : 0;
}

static void gdb_set_debug_on(struct vcpu *vcpu, void *arg)
{
	struct kvm_guest_debug *dbg = arg;

	if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, dbg) < 0)
		log_warn("gdb: vCPU %u: KVM_SET_GUEST_DEBUG: %s", vcpu->index,
			 strerror(errno));
}

/* Guest debug on every vCPU; `step` (or -1) single-steps. `off` clears all. */
static void gdb_apply_debug(struct gdb_stub *s, int step, bool off)
{
	for (unsigned int i = 0; i < s->vm->nr_vcpus; i++) {
		struct kvm_guest_debug dbg;

		memset(&dbg, 0, sizeof(dbg));
		if (!off) {
			dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
			dbg.arch.debugreg[7] = gdb_dr7(s);
			if (dbg.arch.debugreg[7])
				dbg.control |= KVM_GUESTDBG_USE_HW_BP;
			for (unsigned int d = 0; d < GDB_NR_DEBUGREGS; d++)
				if (s->hw[d].used)
					dbg.arch.debugreg[d] = s->hw[d].addr;
			if ((int)i == step)
				dbg.control |= KVM_GUESTDBG_SINGLESTEP;
		}
		vm_pause_run_on(s->vm, i, gdb_set_debug_on, &dbg);
	}
}

/* ---- the vCPU side: KVM_EXIT_DEBUG ---- */

static bool gdb_debug_exit(void *ctx, struct vcpu *vcpu)
{
	struct gdb_stub *s = ctx;
	uint64_t one = 1;

	pthread_mutex_lock(&s->hit_lock);
	if (!s->hit) {
		s->hit = true;
		s->hit_cpu = vcpu->index;
		s->hit_arch = vcpu->run->debug.arch;
	}
	pthread_mutex_unlock(&s->hit_lock);
	/* Park everybody now (this vCPU at its next checkpoint); the stub
	 * waits for them and tells the debugger. */
	vm_pause_request(s->vm, PAUSE_GDB);
	if (write(s->event_fd, &one, sizeof(one)) < 0)
		log_warn("gdb: cannot wake the stub: %s", strerror(errno));
	return true;
}

/* ---- talking to the debugger ---- */

static void gdb_send_raw(struct gdb_stub *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len && s->conn_fd >= 0) {
		ssize_t n = send(s->conn_fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* the reader sees the hang-up */
		p += n;
		len -= (size_t)n;
	}
}

static void gdb_send_reply(struct gdb_stub *s)
{
	s->out_len = gdb_packet_encode(s->out, sizeof(s->out),
				       (const uint8_t *)s->sess.reply,
				       s->sess.reply_len, true);
	gdb_send_raw(s, s->out, s->out_len);
}

static void gdb_report_stop(struct gdb_stub *s, unsigned int cpu, int sig,
			    enum gdb_stop_reason why, uint64_t watch)
{
	s->running = false;
	s->sess.stop_cpu = cpu;
	s->sess.g_cpu = cpu;
	s->sess.step_cpu = cpu;
	s->sess.stop_signal = sig;
	s->sess.stop_reason = why;
	s->sess.watch_addr = watch;
	gdb_stop_reply(&s->sess);
	gdb_send_reply(s);
}

/* Which breakpoint a debug exit was (DR6 says for #DB). */
static void gdb_classify_hit(struct gdb_stub *s, enum gdb_stop_reason *why,
			     uint64_t *watch)
{
	const struct kvm_debug_exit_arch *a = &s->hit_arch;

	*why = GDB_STOP_SIGNAL;
	*watch = 0;
	if (a->exception == X86_EXC_BP) {
		*why = GDB_STOP_SWBREAK;
		return;
	}
	if (a->exception != X86_EXC_DB || (a->dr6 & DR6_BS))
		return;
	for (unsigned int i = 0; i < GDB_NR_DEBUGREGS; i++)
		if ((a->dr6 & (1u << i)) && s->hw[i].used) {
			*why = s->hw[i].type == GDB_BP_HW ? GDB_STOP_HWBREAK : GDB_STOP_WATCH;
			*watch = s->hw[i].addr;
			return;
		}
}

static void gdb_take_hit(struct gdb_stub *s)
{
	enum gdb_stop_reason why;
	uint64_t watch;
	unsigned int cpu;
	bool hit;

	pthread_mutex_lock(&s->hit_lock);
	hit = s->hit;
	s->hit = false;
	cpu = s->hit_cpu;
	if (hit)
		gdb_classify_hit(s, &why, &watch);
	pthread_mutex_unlock(&s->hit_lock);
	if (!hit || !s->running || s->conn_fd < 0)
		return;
	if (vm_pause(s->vm, PAUSE_GDB))
		return;		/* the VM is ending */
	gdb_apply_debug(s, -1, false);	/* no vCPU keeps single-stepping */
	gdb_report_stop(s, cpu, GDB_SIGTRAP, why, watch);
}

static void gdb_resume(struct gdb_stub *s, enum gdb_action act)
{
	s->running = true;
	if (act == GDB_ACT_STEP) {
		unsigned int cpu = s->sess.step_cpu;

		gdb_apply_debug(s, (int)cpu, false);
		if (vm_pause_step(s->vm, cpu)) {
			/* That vCPU cannot run (halted for good): nothing moved. */
			gdb_apply_debug(s, -1, false);
			gdb_report_stop(s, cpu, GDB_SIGTRAP, GDB_STOP_SIGNAL, 0);
		}
		return;
	}
	gdb_apply_debug(s, -1, false);
	vm_resume(s->vm, PAUSE_GDB);
	vm_resume(s->vm, PAUSE_STARTUP);	/* -S: the debugger says go */
}

static void gdb_interrupt(struct gdb_stub *s)
{
	if (!s->running)
		return;
	if (vm_pause(s->vm, PAUSE_GDB))
		return;
	gdb_apply_debug(s, -1, false);
	pthread_mutex_lock(&s->hit_lock);
	s->hit = false;
	pthread_mutex_unlock(&s->hit_lock);
	gdb_report_stop(s, s->sess.stop_cpu, GDB_SIGINT, GDB_STOP_SIGNAL, 0);
}

/* The debugger left: breakpoints out, guest debug off, the guest runs. */
static void gdb_disconnect(struct gdb_stub *s)
{
	if (s->conn_fd < 0)
		return;
	close(s->conn_fd);
	s->conn_fd = -1;
	if (!s->running && vm_pause(s->vm, PAUSE_GDB) == 0) {
		for (unsigned int i = 0; i < GDB_MAX_SW_BREAKPOINTS; i++)
			if (s->sw[i].used)
				gdb_remove_sw_slot(s, &s->sw[i]);
		memset(s->hw, 0, sizeof(s->hw));
		gdb_apply_debug(s, -1, true);
	}
	s->running = false;
	vm_resume(s->vm, PAUSE_GDB);
	vm_resume(s->vm, PAUSE_STARTUP);
	log_info("gdb: debugger disconnected; the guest runs");
}

static void gdb_handle_input(struct gdb_stub *s, enum gdb_input in)
{
	enum gdb_action act;

	switch (in) {
	case GDB_IN_PACKET:
		break;
	case GDB_IN_BAD_CHECKSUM:
	case GDB_IN_TOO_LONG:
	case GDB_IN_BAD_ENCODING:
		if (!s->sess.no_ack)
			gdb_send_raw(s, "-", 1);
		return;
	case GDB_IN_INTERRUPT:
		gdb_interrupt(s);
		return;
	case GDB_IN_NACK:
		if (!s->sess.no_ack)
			gdb_send_raw(s, s->out, s->out_len);
		return;
	default:
		return;
	}
	if (!s->sess.no_ack)
		gdb_send_raw(s, "+", 1);
	act = gdb_handle_packet(&s->sess, (const char *)s->parser.body, s->parser.len);
	switch (act) {
	case GDB_ACT_REPLY:
		gdb_send_reply(s);
		break;
	case GDB_ACT_CONTINUE:
	case GDB_ACT_STEP:
		gdb_resume(s, act);
		break;
	case GDB_ACT_KILL:
		log_info("gdb: the debugger killed the VM");
		vm_request_stop(s->vm, EXIT_STOPPED);
		gdb_disconnect(s);
		break;
	case GDB_ACT_DETACH:
		gdb_send_reply(s);
		gdb_disconnect(s);
		break;
	}
}

static void gdb_read_conn(struct gdb_stub *s)
{
	uint8_t buf[4096];
	ssize_t n = recv(s->conn_fd, buf, sizeof(buf), 0);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		gdb_disconnect(s);
		return;
	}
	for (ssize_t i = 0; i < n && s->conn_fd >= 0; i++)
		gdb_handle_input(s, gdb_packet_feed(&s->parser, buf[i]));
}

static void gdb_accept(struct gdb_stub *s)
{
	static const char busy[] = "minivmm: a debugger is already connected\n";
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	int one = 1;

	if (fd < 0)
		return;
	if (s->conn_fd >= 0) {
		/* Not a packet: a second client learns why it is refused. */
		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL) < 0)
			log_warn("gdb: %s", strerror(errno));
		close(fd);
		log_warn("gdb: refused a second debugger connection");
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->conn_fd = fd;
	gdb_packet_parser_init(&s->parser);
	gdb_session_init(&s->sess, &gdb_kvm_target, s, s->vm->nr_vcpus);
	s->out_len = 0;
	/* The debugger finds the guest stopped. */
	if (vm_pause(s->vm, PAUSE_GDB)) {
		close(fd);
		s->conn_fd = -1;
		return;
	}
	s->running = false;
	log_info("gdb: debugger connected; the guest is stopped");
}

/* On the stub's thread (its seccomp class may send): "W" with the code. */
static void gdb_send_exit(struct gdb_stub *s)
{
	char w[8];

	if (s->conn_fd < 0)
		return;
	snprintf(w, sizeof(w), "W%02x", atomic_load(&s->exit_code) & 0xff);
	s->sess.reply_len = strlen(w);
	memcpy(s->sess.reply, w, s->sess.reply_len + 1);
	gdb_send_reply(s);
	close(s->conn_fd);
	s->conn_fd = -1;
}

static void *gdb_thread(void *arg)
{
	struct gdb_stub *s = arg;

	if (s->seccomp) {
		char err[ERR_LINE_MAX];

		if (seccomp_install(SECCOMP_THREAD_GDB, err, sizeof(err))) {
			log_error("%s", err);
			vm_request_stop(s->vm, EXIT_VMM_ERROR);
			return NULL;
		}
	}
	while (!atomic_load(&s->quit)) {
		struct pollfd pfd[3] = {
			{ .fd = s->event_fd, .events = POLLIN },
			{ .fd = s->listen_fd, .events = POLLIN },
			{ .fd = s->conn_fd, .events = POLLIN },
		};
		uint64_t count;

		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (atomic_load(&s->quit))
			break;
		if (pfd[0].revents & POLLIN) {
			if (read(s->event_fd, &count, sizeof(count)) < 0)
				count = 0;
			gdb_take_hit(s);
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))
			gdb_read_conn(s);
		if (pfd[1].revents & POLLIN)
			gdb_accept(s);
	}
	gdb_send_exit(s);
	return NULL;
}

/* ---- set-up ---- */

static int gdb_listen_tcp(struct gdb_stub *s, const struct gdb_config *g, char *err,
			  size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char port[8];
	int e, fd = -1;

	snprintf(port, sizeof(port), "%u", g->port);
	e = getaddrinfo(g->host ? g->host : "localhost", port, &hints, &res);
	if (e) {
		snprintf(err, errlen, "-gdb: %s: %s", g->host ? g->host : "localhost",
			 gai_strerror(e));
		return -EINVAL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int one = 1;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 1))
			break;
		e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	e = errno;
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "-gdb: cannot listen on %s port %u: %s",
			 g->host ? g->host : "localhost", g->port, strerror(e));
		return -e;
	}
	s->listen_fd = fd;
	return 0;
}

static int gdb_listen_unix(struct gdb_stub *s, const struct gdb_config *g, char *err,
			   size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(g->path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "-gdb: socket path too long: %s", g->path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, g->path);
	/* A socket left by an earlier run (the filters keep unlink from us at
	 * exit); anything else at that path stays and bind fails. */
	if (!lstat(g->path, &st) && S_ISSOCK(st.st_mode))
		unlink(g->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 1)) {
		int e = errno;

		snprintf(err, errlen, "-gdb: cannot listen on %s: %s", g->path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	s->listen_fd = fd;
	return 0;
}

int gdb_stub_create(struct gdb_stub **out, struct vm *vm, char *err, size_t errlen)
{
	const struct gdb_config *g = &vm->cfg->gdb;
	struct gdb_stub *s = calloc(1, sizeof(*s));
	int ret;

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->vm = vm;
	s->conn_fd = -1;
	s->listen_fd = -1;
	pthread_mutex_init(&s->hit_lock, NULL);
	atomic_init(&s->quit, false);
	s->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->event_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		gdb_stub_destroy(s);
		return -errno;
	}
	ret = g->kind == GDB_LISTEN_UNIX ? gdb_listen_unix(s, g, err, errlen) :
					   gdb_listen_tcp(s, g, err, errlen);
	if (ret) {
		gdb_stub_destroy(s);
		return ret;
	}
	vm->debug_exit = gdb_debug_exit;
	vm->debug_ctx = s;
	*out = s;
	return 0;
}

int gdb_stub_start(struct gdb_stub *s, bool seccomp)
{
	int e;

	s->seccomp = seccomp;
	e = pthread_create(&s->thread, NULL, gdb_thread, s);
	if (e)
		return -e;
	pthread_setname_np(s->thread, "gdb");
	s->started = true;
	return 0;
}

void gdb_stub_stop(struct gdb_stub *s, int exit_code)
{
	uint64_t one = 1;

	if (!s || !s->started)
		return;
	atomic_store(&s->exit_code, exit_code);
	atomic_store(&s->quit, true);
	if (write(s->event_fd, &one, sizeof(one)) < 0)
		log_warn("gdb: cannot stop the stub: %s", strerror(errno));
	pthread_join(s->thread, NULL);
	s->started = false;
}

void gdb_stub_destroy(struct gdb_stub *s)
{
	if (!s)
		return;
	gdb_stub_stop(s, 0);
	if (s->conn_fd >= 0)
		close(s->conn_fd);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->event_fd >= 0)
		close(s->event_fd);
	if (s->vm && s->vm->debug_ctx == s) {
		s->vm->debug_exit = NULL;
		s->vm->debug_ctx = NULL;
	}
	pthread_mutex_destroy(&s->hit_lock);
	free(s);
}
