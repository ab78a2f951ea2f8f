/* SPDX-License-Identifier: MIT */
/*
 * Saving and restoring a VM (docs/snapshots.md): the VM core's side.  It
 * gathers the state of KVM's objects (vCPUs, the in-kernel PIC, IOAPIC
 * and PIT, the clock) into named sections, has each device serialise its
 * own state through devices/state_stream.h, and writes the file
 * (vmm/snapshot_format.h) with guest RAM written sparsely.  On restore it
 * maps RAM from the file copy-on-write and puts every piece back.
 *
 * Everything here runs with the VM paused (vmm/pause.h) or before its
 * vCPUs start.
 */
#ifndef MINIVMM_SNAPSHOT_H
#define MINIVMM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "devices/state_stream.h"
#include "vmm/config.h"
#include "vmm/cpuid.h"
#include "vmm/snapshot_format.h"

struct vm;

/* ---- saving ---- */

/* The sections of a snapshot being written; each owns its buffer. */
struct snapshot_out {
	char name[SNAP_MAX_SECTIONS][SNAP_NAME_MAX];
	uint32_t instance[SNAP_MAX_SECTIONS];
	struct state_writer w[SNAP_MAX_SECTIONS];
	unsigned int nr;
};

struct snapshot_out *snapshot_out_new(void);
void snapshot_out_free(struct snapshot_out *o);
/* A new, empty section to fill; NULL when the table is full. */
struct state_writer *snapshot_out_section(struct snapshot_out *o,
					  const char *name, uint32_t instance);
/*
 * The machine's shape (RAM, vCPUs, topology, device counts) and each
 * disk image's identity.  Refuses a drive with snapshot=on (its writes
 * would be lost).  0 or -errno with one line in err.
 */
int snapshot_save_machine(struct snapshot_out *o, const struct config *cfg,
			  const struct cpu_topology *topo, char *err,
			  size_t errlen);
/* Every vCPU (on its own thread: the VM must be paused) and the VM's
 * in-kernel devices and clock.  0 or -errno with one line in err. */
int snapshot_save_kvm(struct snapshot_out *o, struct vm *vm, char *err,
		      size_t errlen);
/*
 * Write the file: state sections, then RAM without its zero pages, to a
 * temporary file beside path, synced and renamed over path (an old
 * snapshot survives a failed save).  0 or -errno with one line in err.
 */
int snapshot_write(struct snapshot_out *o, const char *path,
		   const struct vm *vm, char *err, size_t errlen);

/* ---- restoring ---- */

struct snapshot_file {
	int fd;
	uint64_t file_size;
	uint8_t *meta;			/* the state part, read whole */
	struct snap_index idx;
};

/* Open and check path (snap_parse); 0 or -errno with one line in err. */
int snapshot_open(struct snapshot_file *f, const char *path, char *err,
		  size_t errlen);
void snapshot_close(struct snapshot_file *f);
/* A reader over section (name, instance); false if it is absent. */
bool snapshot_section(const struct snapshot_file *f, const char *name,
		      uint32_t instance, struct state_reader *r);
/*
 * -restore: read the machine's shape from the snapshot into cfg (RAM,
 * vCPUs, topology) and check what the command line must match: the same
 * number of -drive, each the very image saved (size, st_dev, st_ino and
 * mtime) with the same readonly=.
 */
int snapshot_apply_config(struct config *cfg, char *err, size_t errlen);
/*
 * Put the vCPUs (after checking that this host has every CPU feature the
 * guest saw), the PIC, IOAPIC, PIT and clock back.  After vm_create(),
 * before the vCPUs start.
 */
int snapshot_load_kvm(const struct snapshot_file *f, struct vm *vm,
		      const struct cpu_topology *topo, char *err,
		      size_t errlen);

#define SNAP_MAX_CPUID		1024	/* CPUID entries of one vCPU */
#define SNAP_MAX_MSRS		1024	/* MSRs of one vCPU */

/* A "vcpu" section, parsed whole before anything is set. */
struct snapshot_vcpu_state {
	/* Unaligned, in the section's bytes: copy before use. */
	const void *cpuid;		/* ncpuid struct kvm_cpuid_entry2 */
	unsigned int ncpuid;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	bool has_xsave, has_xcrs;
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	const void *msrs;		/* nmsrs struct kvm_msr_entry */
	unsigned int nmsrs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events ev;
	struct kvm_mp_state mp;
	struct kvm_debugregs dbg;
	struct kvm_xsave xsave;		/* last: it ends in a flexible array */
};

/*
 * Parse a "vcpu" section whole (pointers into the reader's buffer); true
 * if every field is there with its exact size and nothing is left over.
 * Pure: the fuzzer drives it.
 */
bool snapshot_parse_vcpu(struct state_reader *r, struct snapshot_vcpu_state *st);

#endif
