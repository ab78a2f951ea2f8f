/* SPDX-License-Identifier: MIT */
/*
 * vCPUs: one thread each, running KVM_RUN and dispatching exits to the
 * port-I/O and MMIO buses.  The boot vCPU starts in 64-bit long mode; the
 * others wait for the guest's INIT/SIPI in the in-kernel LAPIC.
 */
#ifndef MINIVMM_VCPU_H
#define MINIVMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/cpuid.h"

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned int index;
	uint32_t apic_id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	atomic_int tid;			/* host thread id once running (QMP) */
	bool started;
	const cpu_set_t *affinity;	/* host CPUs for the thread, or NULL */
	/* Set by the thread itself once `self` is valid: kicks may be sent. */
	atomic_bool kickable;
	pthread_t self;
	/* Exits seen by this vCPU's thread; read once it has stopped (-stats). */
	struct vcpu_stats {
		uint64_t exits, io, mmio, intr;
	} st;
	/* -stats: KVM's own count of this vCPU's exits, in-kernel ones too. */
	int kvm_stats_fd;
	int64_t kvm_exits_off;
};

/* Create every vCPU with its CPUID, MSRs, FPU and LAPIC set up. */
int vcpus_create(struct vm *vm, const struct cpu_topology *topo, char *err,
		 size_t errlen);
/* Registers of the boot vCPU: long mode, flat segments, rip/rsi/rsp. */
int vcpu_setup_long_mode(struct vcpu *vcpu, uint64_t rip, uint64_t rsi,
			 uint64_t rsp, char *err, size_t errlen);
/*
 * Registers of the boot vCPU for a PVH entry: 32-bit protected mode,
 * paging off, flat segments, EBX = the hvm_start_info address.
 */
int vcpu_setup_pvh(struct vcpu *vcpu, uint32_t eip, uint32_t ebx, char *err,
		   size_t errlen);
/*
 * KVM_GET_SUPPORTED_CPUID, before minivmm's fix-ups (malloc'ed; NULL with
 * -errno in *ret).
 */
struct kvm_cpuid2 *vcpu_supported_cpuid(const struct vm *vm, int *ret);
int vcpus_start(struct vm *vm, char *err, size_t errlen);
/*
 * Kick every vCPU out of KVM_RUN and wait for the threads; false if one
 * did not stop within a few seconds (its memory must then stay mapped).
 */
bool vcpus_stop(struct vm *vm);
void vcpus_destroy(struct vm *vm);
/* One "vcpuN: exits=..." line per vCPU (after vcpus_stop). */
void vcpus_print_stats(const struct vm *vm, FILE *f);

#endif
