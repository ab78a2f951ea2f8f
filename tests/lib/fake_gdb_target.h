/* SPDX-License-Identifier: MIT */
/*
 * A fake target for the GDB stub (vmm/gdb_proto.h), shared by the unit
 * test and the fuzz harness: two vCPUs, 8 KiB of "guest memory" at
 * guest-virtual 0x1000..0x2fff, breakpoints taken, read watchpoints
 * refused (-ENOSYS) as a host without them would.  The stub must never
 * name a vCPU it was not given: that aborts (in every build type).
 */
#ifndef MINIVMM_TESTS_FAKE_GDB_TARGET_H
#define MINIVMM_TESTS_FAKE_GDB_TARGET_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/gdb_proto.h"

#define FAKE_GDB_CPUS		2
#define FAKE_GDB_MEM_VA		0x1000u

static inline void fake_gdb_check_cpu(unsigned int cpu)
{
	if (cpu >= FAKE_GDB_CPUS)
		abort();
}

struct fake_gdb_target {
	struct gdb_cpu_state cpu[FAKE_GDB_CPUS];
	uint8_t mem[0x2000];	/* at FAKE_GDB_MEM_VA */
};

static inline int fake_gdb_get(void *ctx, unsigned int cpu, struct gdb_cpu_state *s)
{
	fake_gdb_check_cpu(cpu);
	*s = ((struct fake_gdb_target *)ctx)->cpu[cpu];
	return 0;
}

static inline int fake_gdb_set(void *ctx, unsigned int cpu,
			       const struct gdb_cpu_state *s)
{
	fake_gdb_check_cpu(cpu);
	((struct fake_gdb_target *)ctx)->cpu[cpu] = *s;
	return 0;
}

/* Bytes copied (up to the end of the memory), or -EFAULT outside it. */
static inline long fake_gdb_access(struct fake_gdb_target *t, uint64_t va,
				   uint8_t *buf, size_t len, bool write)
{
	const uint64_t end = FAKE_GDB_MEM_VA + sizeof(t->mem);
	size_t n;

	if (va < FAKE_GDB_MEM_VA || va >= end)
		return -EFAULT;
	n = end - va < len ? end - va : len;
	if (write)
		memcpy(t->mem + (va - FAKE_GDB_MEM_VA), buf, n);
	else
		memcpy(buf, t->mem + (va - FAKE_GDB_MEM_VA), n);
	return (long)n;
}

static inline long fake_gdb_read(void *ctx, unsigned int cpu, uint64_t va,
				 uint8_t *buf, size_t len)
{
	fake_gdb_check_cpu(cpu);
	return fake_gdb_access(ctx, va, buf, len, false);
}

static inline long fake_gdb_write(void *ctx, unsigned int cpu, uint64_t va,
				  const uint8_t *buf, size_t len)
{
	fake_gdb_check_cpu(cpu);
	return fake_gdb_access(ctx, va, (uint8_t *)buf, len, true);
}

/* Insert and remove alike. */
static inline int fake_gdb_bp(void *ctx, unsigned int cpu, enum gdb_bp_type type,
			      uint64_t addr, uint64_t len)
{
	(void)ctx;
	(void)addr;
	(void)len;
	fake_gdb_check_cpu(cpu);
	if (type > GDB_WP_ACCESS)
		abort();
	return type == GDB_WP_READ ? -ENOSYS : 0;
}

static const struct gdb_target_ops fake_gdb_ops = {
	fake_gdb_get, fake_gdb_set, fake_gdb_read, fake_gdb_write,
	fake_gdb_bp, fake_gdb_bp,
};

#endif
