// SPDX-License-Identifier: MIT
#include "vmm/cpuid.h"

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

void cpuid_fixup(struct kvm_cpuid_entry2 *e, unsigned int nent,
		 const struct cpu_topology *t, unsigned int index)
{
	uint32_t apic_id = cpuid_apic_id(t, index);

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
