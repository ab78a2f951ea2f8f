/* SPDX-License-Identifier: MIT */
/*
 * The VM object: KVM file descriptors, guest memory, buses and vCPUs.
 * It is the only mutable state of a run and is passed to whatever needs it.
 * Devices talk to it only through the functions below.
 */
#ifndef MINIVMM_VM_H
#define MINIVMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/guest_event.h"
#include "vmm/bus.h"
#include "vmm/config.h"
#include "vmm/guest_mem.h"
#include "vmm/pause.h"
#include "vmm/seccomp.h"

struct vcpu;

struct vm {
	const struct config *cfg;
	int kvm_fd;
	int vm_fd;
	int vcpu_mmap_size;
	struct guest_mem mem;
	uint8_t *mem_host;		/* the one mapping behind all regions */
	uint64_t mem_host_size;
	/* -restore: RAM comes from this file at this offset (set before vm_create). */
	bool ram_from_file;
	int ram_fd;
	uint64_t ram_offset;
	/* /proc/self/pagemap for a save to skip untouched RAM (vmm/ram.h), or -1 */
	int pagemap_fd;
	struct bus pio_bus;
	struct bus mmio_bus;
	struct vcpu *vcpus;
	unsigned int nr_vcpus;

	/* Orderly stop: the first reason wins, everybody is woken. */
	atomic_int exit_code;		/* -1 while running */
	int stop_fd;			/* eventfd the main thread waits on */
	uint64_t start_ns;		/* CLOCK_MONOTONIC at process start */

	/* Stop the world (vmm/pause.h); set up by vcpus_create. */
	struct vm_pause pause;
	struct vm_pause_devices pause_devices;
	bool devices_quiesced;		/* under pause.transition */
	/* kvmclock at the pause (KVM_GET_CLOCK), put back at resume so the
	 * guest's clock does not jump by the paused time. */
	uint64_t paused_clock_ns;
	bool clock_frozen;		/* under pause.transition */
	/* KVM_EXIT_DEBUG goes to the GDB stub when one is attached (-gdb). */
	bool (*debug_exit)(void *ctx, struct vcpu *vcpu);
	void *debug_ctx;
	/* Told of every guest event before the stop it causes (the machine
	 * turns a panic into QMP's GUEST_PANICKED); NULL: nobody listens. */
	void (*event_hook)(void *ctx, enum guest_event ev);
	void *event_ctx;
	/* -rootfs: the generated initramfs and command line (vmm/rootfs.h),
	 * used by the loader instead of -initrd and -append; NULL without. */
	const uint8_t *gen_initrd;
	size_t gen_initrd_size;
	const char *gen_cmdline;
	/* Set once the vCPUs are gone and the VM is being torn down. */
	bool destroying;
	/* The filter options of the vCPU and I/O threads (vmm/seccomp.h);
	 * tgid 0 until the machine fills them in: then each thread sets
	 * everything up itself (seccomp_install()). */
	struct seccomp_opts seccomp;
	/* -trace-boot: guest markers seen (any vCPU), printed up to a bound. */
	atomic_uint trace_guest_markers;
};

/*
 * Open /dev/kvm, check it, create the VM with irqchip, PIT and RAM.
 * On failure err holds one line for the user.
 */
int vm_create(struct vm *vm, const struct config *cfg, char *err, size_t errlen);
void vm_destroy(struct vm *vm);
unsigned int vm_max_vcpus(const struct vm *vm);
/*
 * No transparent huge pages for guest RAM [gpa, gpa + len) and the rest
 * of the huge pages it touches (vmm/ram.h): for something small the
 * guest will not fill.  Only for anonymous RAM below the MMIO hole; a
 * hint, so it cannot fail.
 */
void vm_ram_no_huge_pages(struct vm *vm, uint64_t gpa, uint64_t len);

/* Device plumbing. */
int vm_register_pio(struct vm *vm, const struct bus_device *dev);
int vm_register_mmio(struct vm *vm, const struct bus_device *dev);
/* Level of an IOAPIC input (GSI); for the serial port's line. */
int vm_set_irq_line(struct vm *vm, uint32_t gsi, int level);
/* KVM_IOEVENTFD on an MMIO address with a 4-byte datamatch; returns the eventfd. */
int vm_add_mmio_ioeventfd(struct vm *vm, uint64_t addr, uint32_t datamatch);
/* Deassigns it and closes fd; once vm->destroying, only closes it. */
int vm_remove_mmio_ioeventfd(struct vm *vm, int fd, uint64_t addr,
			     uint32_t datamatch);
/*
 * One edge on a GSI (the line up, then down again): the interrupt of a
 * virtio-mmio transport or of the GED.  Any thread; 0 or -errno.
 */
int vm_pulse_irq(struct vm *vm, uint32_t gsi);

/* Request an orderly stop with an exit code (first caller wins). */
void vm_request_stop(struct vm *vm, int exit_code);
/* A device or vCPU reports a guest event: the event hook hears of it, then
 * the VM stops with its exit code (vmm/exit_code.c maps it). */
void vm_report_event(struct vm *vm, enum guest_event ev);
bool vm_stopping(const struct vm *vm);

/* CLOCK_MONOTONIC now, and nanoseconds since process start (-trace-boot). */
uint64_t vm_now_ns(void);
uint64_t vm_elapsed_ns(const struct vm *vm);

#endif
