// SPDX-License-Identifier: MIT
#include "vmm/cpuid.h"

#include <stddef.h>
#include <stdio.h>

#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define CPUID_1_EDX_HTT		(1u << 28)
#define CPUID_EXT1_ECX_CMP_LEGACY (1u << 1)
#define CPUID_EXT1_ECX_TOPOEXT	(1u << 22)

/* Smallest n with 2^n >= v. */
static unsigned int cpuid_order(unsigned int v)
{
	unsigned int n = 0;

	while ((1u << n) < v)
		n++;
	return n;
}

unsigned int cpuid_thread_bits(const struct cpu_topology *t)
{
	return cpuid_order(t->threads);
}

unsigned int cpuid_core_bits(const struct cpu_topology *t)
{
	return cpuid_order(t->cores);
}

uint32_t cpuid_apic_id(const struct cpu_topology *t, unsigned int index)
{
	unsigned int thread = index % t->threads;
	unsigned int core = (index / t->threads) % t->cores;
	unsigned int socket = index / (t->threads * t->cores);
	unsigned int tb = cpuid_thread_bits(t), cb = cpuid_core_bits(t);

	return (socket << (tb + cb)) | (core << tb) | thread;
}

static void cpuid_fix_leaf1(struct kvm_cpuid_entry2 *e,
			    const struct cpu_topology *t, uint32_t apic_id)
{
	unsigned int per_pkg = t->cores * t->threads;

	e->ebx &= 0x0000ffff;
	e->ebx |= (apic_id & 0xff) << 24;
	e->ebx |= (per_pkg > 255 ? 255 : per_pkg) << 16;
	e->ecx |= CPUID_1_ECX_HYPERVISOR;
	if (per_pkg > 1)
		e->edx |= CPUID_1_EDX_HTT;
	else
		e->edx &= ~CPUID_1_EDX_HTT;
}

/* Intel deterministic cache parameters: cores per package, sharing. */
static void cpuid_fix_leaf4(struct kvm_cpuid_entry2 *e,
			    const struct cpu_topology *t)
{
	unsigned int level = (e->eax >> 5) & 7;
	unsigned int sharing = level >= 3 ? t->cores * t->threads : t->threads;

	if ((e->eax & 0x1f) == 0)
		return; /* no more caches */
	e->eax &= 0x3fff;
	e->eax |= ((1u << cpuid_order(sharing)) - 1) << 14;
	e->eax |= ((1u << cpuid_core_bits(t)) - 1) << 26;
}

/* Extended topology (0xB, 0x1F): SMT level, core level, then invalid. */
static void cpuid_fix_ext_topology(struct kvm_cpuid_entry2 *e,
				   const struct cpu_topology *t,
				   uint32_t apic_id)
{
	unsigned int tb = cpuid_thread_bits(t), cb = cpuid_core_bits(t);

	e->edx = apic_id;
	switch (e->index) {
	case 0:
		e->eax = tb;
		e->ebx = t->threads;
		e->ecx = (1u << 8) | 0;
		break;
	case 1:
		e->eax = tb + cb;
		e->ebx = t->threads * t->cores;
		e->ecx = (2u << 8) | 1;
		break;
	default:
		e->eax = 0;
		e->ebx = 0;
		e->ecx = e->index & 0xff;
		break;
	}
}

static void cpuid_fix_amd(struct kvm_cpuid_entry2 *e,
			  const struct cpu_topology *t, uint32_t apic_id)
{
	unsigned int per_pkg = t->cores * t->threads;

	switch (e->function) {
	case 0x80000001:
		if (per_pkg > 1)
			e->ecx |= CPUID_EXT1_ECX_CMP_LEGACY;
		else
			e->ecx &= ~CPUID_EXT1_ECX_CMP_LEGACY;
		break;
	case 0x80000008:
		e->ecx &= ~0xf0ffu;
		e->ecx |= ((per_pkg - 1) & 0xff) |
			  ((cpuid_thread_bits(t) + cpuid_core_bits(t)) << 12);
		break;
	case 0x8000001e:
		e->eax = apic_id;
		e->ebx = ((t->threads - 1) << 8) |
			 ((apic_id >> cpuid_thread_bits(t)) & 0xff);
		e->ecx = apic_id >> (cpuid_thread_bits(t) + cpuid_core_bits(t));
		break;
	}
}

/* ---- leaf 0xD: the XSAVE state components ---- */

#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_AVX		(1u << 28)
#define CPUID_7_EBX_MPX		(1u << 14)
#define CPUID_7_EBX_AVX512F	(1u << 16)
#define CPUID_7_ECX_PKU		(1u << 3)
#define CPUID_7_EDX_AMX_TILE	(1u << 24)
#define XSAVE_LEGACY_HDR_SIZE	576	/* x87/SSE area + XSAVE header */

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid_entry2 *e,
					   unsigned int nent, uint32_t fn,
					   uint32_t index)
{
	for (unsigned int i = 0; i < nent; i++)
		if (e[i].function == fn && e[i].index == index)
			return &e[i];
	return NULL;
}

/*
 * User state components (XCR0 bits) the other leaves let the guest use.
 * KVM_GET_SUPPORTED_CPUID builds 0xD from the host's XCR0, independently
 * of the feature flags it reports in leaves 1 and 7 (a VMM may also clear
 * flags), so the two can disagree.  A component whose feature flag is
 * absent must not be offered: Linux sums the sizes of the components it
 * enables, compares them with CPUID.(0xD,0) and turns XSAVE off when they
 * differ ("XSAVE consistency problem"); QEMU likewise derives 0xD from the
 * features it exposes.
 */
static uint64_t cpuid_xcr0_allowed(struct kvm_cpuid_entry2 *e, unsigned int nent)
{
	struct kvm_cpuid_entry2 *l1 = cpuid_find(e, nent, 1, 0);
	struct kvm_cpuid_entry2 *l7 = cpuid_find(e, nent, 7, 0);
	uint64_t m = 0x3;	/* x87, SSE */

	if (l1 && (l1->ecx & CPUID_1_ECX_AVX))
		m |= 1ull << 2;
	if (l7 && (l7->ebx & CPUID_7_EBX_MPX))
		m |= 3ull << 3;
	if (l7 && (l7->ebx & CPUID_7_EBX_AVX512F) && (m & (1ull << 2)))
		m |= 7ull << 5;
	if (l7 && (l7->ecx & CPUID_7_ECX_PKU))
		m |= 1ull << 9;
	if (l7 && (l7->edx & CPUID_7_EDX_AMX_TILE))
		m |= 3ull << 17;
	return m;
}

/* XCR0 bits that must be all set or all clear (SDM vol. 1, 13.3). */
static const uint64_t xcr0_groups[] = {
	3ull << 3,	/* MPX: BNDREGS, BNDCSR */
	7ull << 5,	/* AVX-512: opmask, ZMM_Hi256, Hi16_ZMM */
	3ull << 17,	/* AMX: XTILECFG, XTILEDATA */
};

/*
 * The user components of mask that have a state area: x87 and SSE live
 * in the legacy area, every other one needs its 0xD.i sub-leaf with a
 * size (a component KVM names in 0xD.0 without one cannot be laid out).
 */
static uint64_t xsave_with_area(struct kvm_cpuid_entry2 *e, unsigned int nent,
				uint64_t mask)
{
	uint64_t ok = mask & 0x3;

	for (unsigned int bit = 2; bit < 64; bit++) {
		struct kvm_cpuid_entry2 *s;

		if (!(mask & (1ull << bit)))
			continue;
		s = cpuid_find(e, nent, 0xd, bit);
		if (s && s->eax && !(s->ecx & 1))
			ok |= 1ull << bit;
	}
	for (size_t i = 0; i < sizeof(xcr0_groups) / sizeof(xcr0_groups[0]); i++)
		if ((ok & xcr0_groups[i]) != xcr0_groups[i])
			ok &= ~xcr0_groups[i];
	return ok;
}

/*
 * Offer only the user components the other leaves allow and that can be
 * laid out, in 0xD.0 (EDX:EAX); drop the sub-leaves of the others, and
 * make the size fields match: ECX = the end of the furthest offered
 * component (the standard-format area for every offered one), EBX = the
 * area for XCR0 at reset (x87 only); KVM keeps EBX current as the guest
 * changes XCR0.
 */
void cpuid_fix_xsave(struct kvm_cpuid_entry2 *e, unsigned int nent)
{
	struct kvm_cpuid_entry2 *l1 = cpuid_find(e, nent, 1, 0);
	struct kvm_cpuid_entry2 *d0 = cpuid_find(e, nent, 0xd, 0);
	uint64_t offered;
	uint32_t max = XSAVE_LEGACY_HDR_SIZE;

	if (!d0)
		return;
	if (!l1 || !(l1->ecx & CPUID_1_ECX_XSAVE)) {
		d0->eax = d0->ebx = d0->ecx = d0->edx = 0;
		return;
	}
	offered = ((uint64_t)d0->edx << 32 | d0->eax) & cpuid_xcr0_allowed(e, nent);
	offered = xsave_with_area(e, nent, offered);
	for (unsigned int i = 0; i < nent; i++) {
		struct kvm_cpuid_entry2 *s = &e[i];

		if (s->function != 0xd || s->index < 2 || s->index > 63)
			continue;
		if (!(offered & (1ull << s->index))) {
			/* a user component not offered (supervisor ones live in
			 * 0xD.1 ECX:EDX and have ECX bit 0 set: keep those) */
			if (!(s->ecx & 1))
				s->eax = s->ebx = s->ecx = s->edx = 0;
			continue;
		}
		if (s->eax + s->ebx > max)
			max = s->eax + s->ebx;
	}
	d0->eax = (uint32_t)offered;
	d0->edx = (uint32_t)(offered >> 32);
	d0->ecx = max;
	d0->ebx = XSAVE_LEGACY_HDR_SIZE;
}

void cpuid_fixup(struct kvm_cpuid_entry2 *e, unsigned int nent,
		 const struct cpu_topology *t, unsigned int index)
{
	uint32_t apic_id = cpuid_apic_id(t, index);

	cpuid_fix_xsave(e, nent);

	for (unsigned int i = 0; i < nent; i++) {
		switch (e[i].function) {
		case 1:
			cpuid_fix_leaf1(&e[i], t, apic_id);
			break;
		case 4:
			cpuid_fix_leaf4(&e[i], t);
			break;
		case 0xb:
		case 0x1f:
			cpuid_fix_ext_topology(&e[i], t, apic_id);
			break;
		case 0x80000001:
		case 0x80000008:
		case 0x8000001e:
			cpuid_fix_amd(&e[i], t, apic_id);
			break;
		}
	}
}

/* ---- snapshots: may this host run a guest that saw these leaves? ---- */

/*
 * The feature registers compared, and the bits in them that KVM changes
 * at run time with the guest's own settings (OSXSAVE follows CR4.OSXSAVE,
 * OSPKE CR4.PKE), which a fresh vCPU does not show.
 */
static const struct {
	uint32_t function, index;
	unsigned int reg;		/* 0 eax, 1 ebx, 2 ecx, 3 edx */
	uint32_t dynamic;
} cpuid_feature_regs[] = {
	{ 1, 0, 2, 1u << 27 }, { 1, 0, 3, 0 },
	{ 7, 0, 1, 0 }, { 7, 0, 2, 1u << 4 }, { 7, 0, 3, 0 }, { 7, 1, 0, 0 },
	{ 0xd, 0, 0, 0 }, { 0xd, 1, 0, 0 },
	{ 0x80000001, 0, 2, 0 }, { 0x80000001, 0, 3, 0 },
};

static const char *const cpuid_reg_names[] = { "eax", "ebx", "ecx", "edx" };

static uint32_t cpuid_reg(const struct kvm_cpuid_entry2 *e, unsigned int reg)
{
	const uint32_t r[4] = { e->eax, e->ebx, e->ecx, e->edx };

	return r[reg];
}

static const struct kvm_cpuid_entry2 *
cpuid_find_const(const struct kvm_cpuid_entry2 *e, unsigned int nent,
		 uint32_t function, uint32_t index)
{
	for (unsigned int i = 0; i < nent; i++)
		if (e[i].function == function &&
		    (!(e[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e[i].index == index))
			return &e[i];
	return NULL;
}

bool cpuid_missing_features(const struct kvm_cpuid_entry2 *saved,
			    unsigned int nsaved,
			    const struct kvm_cpuid_entry2 *host,
			    unsigned int nhost, char *desc, size_t desclen)
{
	for (size_t i = 0; i < sizeof(cpuid_feature_regs) / sizeof(cpuid_feature_regs[0]); i++) {
		uint32_t fn = cpuid_feature_regs[i].function;
		uint32_t idx = cpuid_feature_regs[i].index;
		unsigned int reg = cpuid_feature_regs[i].reg;
		const struct kvm_cpuid_entry2 *s = cpuid_find_const(saved, nsaved, fn, idx);
		const struct kvm_cpuid_entry2 *h = cpuid_find_const(host, nhost, fn, idx);
		uint32_t want = s ? cpuid_reg(s, reg) & ~cpuid_feature_regs[i].dynamic : 0;
		uint32_t have = h ? cpuid_reg(h, reg) : 0;

		if (want & ~have) {
			snprintf(desc, desclen, "CPUID leaf 0x%x.%u %s bits 0x%08x",
				 fn, idx, cpuid_reg_names[reg], want & ~have);
			return true;
		}
	}
	return false;
}
