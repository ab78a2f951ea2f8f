/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote protocol's commands, over an abstract target (vCPUs as
 * threads 1..N, their registers, guest-virtual memory, breakpoints).  It
 * turns one decoded packet body into one reply and tells the caller what
 * to do next (resume, step, kill, detach).  Everything a client sends is
 * checked here; a malformed or impossible request gets an "E.." reply.
 * No I/O and no KVM: the stub (vmm/gdb_stub.c) supplies the target, the
 * unit test and the fuzzer supply fakes.
 */
#ifndef MINIVMM_GDB_PROTO_H
#define MINIVMM_GDB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/gdb_packet.h"
#include "vmm/gdb_regs.h"

enum gdb_bp_type {
	GDB_BP_SW = 0, GDB_BP_HW = 1, GDB_WP_WRITE = 2, GDB_WP_READ = 3,
	GDB_WP_ACCESS = 4,
};

struct gdb_target_ops {
	int (*get_state)(void *ctx, unsigned int cpu, struct gdb_cpu_state *s);
	int (*set_state)(void *ctx, unsigned int cpu, const struct gdb_cpu_state *s);
	/* Bytes done (may be short at an unmapped page), or a negative errno. */
	long (*read_mem)(void *ctx, unsigned int cpu, uint64_t va, uint8_t *buf, size_t len);
	long (*write_mem)(void *ctx, unsigned int cpu, uint64_t va, const uint8_t *buf,
			  size_t len);
	/* 0, -ENOSYS (type not supported: empty reply), -ENOSPC, ... */
	int (*insert_bp)(void *ctx, unsigned int cpu, enum gdb_bp_type type, uint64_t addr,
			 uint64_t len);
	int (*remove_bp)(void *ctx, unsigned int cpu, enum gdb_bp_type type, uint64_t addr,
			 uint64_t len);
};

enum gdb_stop_reason {
	GDB_STOP_SIGNAL,	/* attach, Ctrl-C, single-step done */
	GDB_STOP_SWBREAK,
	GDB_STOP_HWBREAK,
	GDB_STOP_WATCH,		/* watch_addr says where */
};

enum gdb_action {
	GDB_ACT_REPLY,		/* send `reply` */
	GDB_ACT_CONTINUE,	/* resume every vCPU; reply comes with the next stop */
	GDB_ACT_STEP,		/* step `step_cpu` alone */
	GDB_ACT_KILL,		/* end the VM (no reply) */
	GDB_ACT_DETACH,		/* send `reply` ("OK"), then drop the client */
};

struct gdb_session {
	const struct gdb_target_ops *ops;
	void *ctx;
	unsigned int nr_cpus;
	bool no_ack;			/* QStartNoAckMode accepted */
	unsigned int g_cpu;		/* Hg: registers and memory */
	unsigned int step_cpu;		/* with GDB_ACT_STEP */
	/* The last stop, for '?' and the stop reply. */
	unsigned int stop_cpu;
	int stop_signal;
	enum gdb_stop_reason stop_reason;
	uint64_t watch_addr;
	char reply[GDB_PACKET_MAX + 1];
	size_t reply_len;
};

void gdb_session_init(struct gdb_session *s, const struct gdb_target_ops *ops,
		      void *ctx, unsigned int nr_cpus);
/* Handle one decoded packet body (NUL-terminated, len bytes). */
enum gdb_action gdb_handle_packet(struct gdb_session *s, const char *body, size_t len);
/* The stop reply ("T05thread:1;swbreak:;") for the session's last stop. */
void gdb_stop_reply(struct gdb_session *s);

#endif
