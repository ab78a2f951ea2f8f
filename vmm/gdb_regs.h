/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 register file as GDB sees it: the order, sizes and names of
 * the target description (gdb_regs_target_xml), and conversion between
 * KVM's structures and GDB's little-endian wire layout ('g'/'G', 'p'/'P').
 * Pure: the unit test checks every register's place.
 */
#ifndef MINIVMM_GDB_REGS_H
#define MINIVMM_GDB_REGS_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One vCPU's state as KVM gives it. */
struct gdb_cpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
};

enum {
	GDB_REG_RAX = 0, GDB_REG_RSP = 7, GDB_REG_R15 = 15, GDB_REG_RIP = 16,
	GDB_REG_EFLAGS = 17, GDB_REG_CS = 18, GDB_REG_GS = 23,
	GDB_REG_ST0 = 24, GDB_REG_FCTRL = 32, GDB_REG_FOP = 39,
	GDB_REG_XMM0 = 40, GDB_REG_MXCSR = 56, GDB_REG_FS_BASE = 57,
	GDB_REG_GS_BASE = 58, GDB_REG_CR0 = 59, GDB_REG_EFER = 64,
	GDB_NR_REGS = 65,
};

/* Bytes of register n on the wire (0 when n is out of range). */
unsigned int gdb_reg_size(unsigned int n);
/* Sum of all register sizes: the 'g' reply is twice this many hex digits. */
size_t gdb_regs_total_size(void);
/* Register n into out (gdb_reg_size(n) bytes, little-endian). */
bool gdb_reg_get(const struct gdb_cpu_state *s, unsigned int n, uint8_t *out);
/* Register n from in; false if n is out of range. */
bool gdb_reg_set(struct gdb_cpu_state *s, unsigned int n, const uint8_t *in);
/* The target description document (qXfer:features:read:target.xml). */
const char *gdb_regs_target_xml(void);

#endif
