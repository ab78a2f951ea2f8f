// SPDX-License-Identifier: MIT
#include "vmm/gdb_regs.h"

#include <string.h>

/*
 * Features and order follow GDB's own x86-64 descriptions (core, sse,
 * segments), so GDB's i386:x86-64 support recognises them; the system
 * registers come last in a feature of our own, shown by "info registers".
 */
static const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>"
	"<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.sse\">"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
	"</union>"
	"<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\" regnum=\"40\"/>"
	"<reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>"
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.segments\">"
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/>"
	"<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>"
	"</feature>"
	"<feature name=\"org.minivmm.gdb.x86.system\">"
	"<reg name=\"cr0\" bitsize=\"64\" type=\"int64\" group=\"system\"/>"
	"<reg name=\"cr2\" bitsize=\"64\" type=\"int64\" group=\"system\"/>"
	"<reg name=\"cr3\" bitsize=\"64\" type=\"int64\" group=\"system\"/>"
	"<reg name=\"cr4\" bitsize=\"64\" type=\"int64\" group=\"system\"/>"
	"<reg name=\"cr8\" bitsize=\"64\" type=\"int64\" group=\"system\"/>"
	"<reg name=\"efer\" bitsize=\"64\" type=\"int64\" group=\"system\"/>"
	"</feature></target>";

const char *gdb_regs_target_xml(void)
{
	return gdb_target_xml;
}

unsigned int gdb_reg_size(unsigned int n)
{
	if (n <= GDB_REG_RIP)
		return 8;
	if (n <= GDB_REG_GS)
		return 4;
	if (n < GDB_REG_FCTRL)
		return 10;
	if (n <= GDB_REG_FOP)
		return 4;
	if (n < GDB_REG_MXCSR)
		return 16;
	if (n == GDB_REG_MXCSR)
		return 4;
	if (n < GDB_NR_REGS)
		return 8;
	return 0;
}

size_t gdb_regs_total_size(void)
{
	size_t total = 0;

	for (unsigned int n = 0; n < GDB_NR_REGS; n++)
		total += gdb_reg_size(n);
	return total;
}

/* kvm_regs in GDB's order: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip. */
static __u64 *gdb_gpr(struct kvm_regs *r, unsigned int n)
{
	__u64 *const map[] = {
		&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp,
		&r->rsp, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
		&r->r14, &r->r15, &r->rip,
	};

	return map[n];
}

static struct kvm_segment *gdb_seg(struct kvm_sregs *s, unsigned int n)
{
	struct kvm_segment *const map[] = { &s->cs, &s->ss, &s->ds, &s->es,
					    &s->fs, &s->gs };

	return map[n - GDB_REG_CS];
}

static __u64 *gdb_sys(struct kvm_sregs *s, unsigned int n)
{
	__u64 *const map[] = { &s->fs.base, &s->gs.base, &s->cr0, &s->cr2,
				  &s->cr3, &s->cr4, &s->cr8, &s->efer };

	return map[n - GDB_REG_FS_BASE];
}

/* FXSAVE keeps an abridged tag (1 bit per register); GDB wants 2 bits. */
static uint32_t gdb_full_ftag(uint8_t abridged)
{
	uint32_t tag = 0;

	for (unsigned int i = 0; i < 8; i++)
		tag |= (abridged & (1u << i) ? 0u : 3u) << (2 * i);
	return tag;
}

static uint8_t gdb_abridged_ftag(uint32_t full)
{
	uint8_t tag = 0;

	for (unsigned int i = 0; i < 8; i++)
		if (((full >> (2 * i)) & 3) != 3)
			tag |= 1u << i;
	return tag;
}

/* The x87 control registers as 32-bit values, by index from fctrl. */
static uint32_t gdb_x87_get(const struct kvm_fpu *f, unsigned int i)
{
	switch (i) {
	case 0: return f->fcw;
	case 1: return f->fsw;
	case 2: return gdb_full_ftag(f->ftwx);
	case 3: return 0;			/* fiseg: no segment in 64-bit */
	case 4: return (uint32_t)f->last_ip;
	case 5: return 0;			/* foseg */
	case 6: return (uint32_t)f->last_dp;
	default: return f->last_opcode;
	}
}

static void gdb_x87_set(struct kvm_fpu *f, unsigned int i, uint32_t v)
{
	switch (i) {
	case 0: f->fcw = (uint16_t)v; break;
	case 1: f->fsw = (uint16_t)v; break;
	case 2: f->ftwx = gdb_abridged_ftag(v); break;
	case 4: f->last_ip = (f->last_ip & ~0xffffffffULL) | v; break;
	case 6: f->last_dp = (f->last_dp & ~0xffffffffULL) | v; break;
	case 7: f->last_opcode = (uint16_t)v; break;
	default: break;				/* fiseg, foseg: always 0 */
	}
}

bool gdb_reg_get(const struct gdb_cpu_state *cs, unsigned int n, uint8_t *out)
{
	struct gdb_cpu_state *s = (struct gdb_cpu_state *)cs;
	unsigned int size = gdb_reg_size(n);
	uint64_t v = 0;

	if (!size)
		return false;
	if (n <= GDB_REG_RIP)
		v = *gdb_gpr(&s->regs, n);
	else if (n == GDB_REG_EFLAGS)
		v = s->regs.rflags;
	else if (n <= GDB_REG_GS)
		v = gdb_seg(&s->sregs, n)->selector;
	else if (n < GDB_REG_FCTRL) {
		memcpy(out, s->fpu.fpr[n - GDB_REG_ST0], 10);
		return true;
	} else if (n <= GDB_REG_FOP)
		v = gdb_x87_get(&s->fpu, n - GDB_REG_FCTRL);
	else if (n < GDB_REG_MXCSR) {
		memcpy(out, s->fpu.xmm[n - GDB_REG_XMM0], 16);
		return true;
	} else if (n == GDB_REG_MXCSR)
		v = s->fpu.mxcsr;
	else
		v = *gdb_sys(&s->sregs, n);
	for (unsigned int i = 0; i < size; i++)
		out[i] = (uint8_t)(v >> (8 * i));
	return true;
}

bool gdb_reg_set(struct gdb_cpu_state *s, unsigned int n, const uint8_t *in)
{
	unsigned int size = gdb_reg_size(n);
	uint64_t v = 0;

	if (!size)
		return false;
	if (size <= 8)
		for (unsigned int i = 0; i < size; i++)
			v |= (uint64_t)in[i] << (8 * i);
	if (n <= GDB_REG_RIP)
		*gdb_gpr(&s->regs, n) = v;
	else if (n == GDB_REG_EFLAGS)
		s->regs.rflags = v;
	else if (n <= GDB_REG_GS)
		/* The selector only: the descriptor cache stays as loaded. */
		gdb_seg(&s->sregs, n)->selector = (uint16_t)v;
	else if (n < GDB_REG_FCTRL)
		memcpy(s->fpu.fpr[n - GDB_REG_ST0], in, 10);
	else if (n <= GDB_REG_FOP)
		gdb_x87_set(&s->fpu, n - GDB_REG_FCTRL, (uint32_t)v);
	else if (n < GDB_REG_MXCSR)
		memcpy(s->fpu.xmm[n - GDB_REG_XMM0], in, 16);
	else if (n == GDB_REG_MXCSR)
		s->fpu.mxcsr = (uint32_t)v;
	else
		*gdb_sys(&s->sregs, n) = v;
	return true;
}
