/* SPDX-License-Identifier: MIT */
/*
 * CPU topology and the per-vCPU CPUID fix-ups applied on top of what
 * KVM_GET_SUPPORTED_CPUID offers.  Pure functions: unit-tested on the host.
 */
#ifndef MINIVMM_CPUID_H
#define MINIVMM_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu_topology {
	unsigned int sockets, cores, threads; /* per socket, per core */
};

/* Bits of the APIC ID taken by the thread and core fields. */
unsigned int cpuid_thread_bits(const struct cpu_topology *t);
unsigned int cpuid_core_bits(const struct cpu_topology *t);
/* APIC ID of vCPU index i (0-based): socket | core | thread fields. */
uint32_t cpuid_apic_id(const struct cpu_topology *t, unsigned int index);

/*
 * Rewrite the leaves of a KVM_GET_SUPPORTED_CPUID copy for vCPU index:
 * APIC IDs, topology leaves (1, 4, 0xB, 0x1F, 0x80000001/8/0x1E), the
 * hypervisor bit; the KVM paravirt leaves (0x40000000..) are kept so that
 * kvm-clock works.
 */
void cpuid_fixup(struct kvm_cpuid_entry2 *e, unsigned int nent,
		 const struct cpu_topology *t, unsigned int index);
/*
 * Leaf 0xD consistent with the feature flags of leaves 1 and 7 (part of
 * cpuid_fixup; exposed for the unit tests).
 */
void cpuid_fix_xsave(struct kvm_cpuid_entry2 *e, unsigned int nent);

/*
 * Snapshots: true (with e.g. "CPUID leaf 0x7.0 ebx bits 0x00000020" in
 * desc) if the saved leaves show a feature bit (leaves 1, 7, 0xD and
 * 0x80000001) that host, the leaves a fresh vCPU gets here, lacks.
 */
bool cpuid_missing_features(const struct kvm_cpuid_entry2 *saved,
			    unsigned int nsaved,
			    const struct kvm_cpuid_entry2 *host,
			    unsigned int nhost, char *desc, size_t desclen);

#endif
