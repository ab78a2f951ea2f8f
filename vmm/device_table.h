/* SPDX-License-Identifier: MIT */
/*
 * The machine's one device table.  Every device the configuration asks
 * for is an instance of a table entry (struct vmm_device_ops); the machine
 * creates, starts, quiesces, reports, stops and destroys them all through
 * this table, in table order, so a new device is one file in devices/ plus
 * one entry in vmm/device_table.c (see docs/architecture.md, "How a device
 * plugs in").
 *
 * The KVM wiring lives here, not in the device: a virtio-mmio entry gets
 * its window and GSI (the one slot rule: slot n = LAYOUT_VIRTIO_MMIO_BASE +
 * n * LAYOUT_VIRTIO_MMIO_SIZE, GSI IRQ_VIRTIO_MMIO_BASE + n, slots given in
 * table order), the KVM-backed struct virtio_mmio_host (ioeventfds, irqfd,
 * MMIO bus) and guest memory; a port-I/O entry registers its ports with
 * vm_register_pio().  Guest events from devices reach vm_report_event().
 */
#ifndef MINIVMM_DEVICE_TABLE_H
#define MINIVMM_DEVICE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "boot/acpi.h"
#include "boot/layout.h"
#include "devices/event_loop.h"
#include "devices/virtio_mmio.h"
#include "vmm/bus.h"
#include "vmm/config.h"
#include "vmm/seccomp.h"

struct vm;
struct snapshot_out;
struct snapshot_file;
struct state_writer;
struct state_reader;

#define DEVICE_TABLE_MAX_INSTANCES 64

/* What the machine hands an entry's create(). */
struct device_env {
	struct vm *vm;			/* port registration, trace hooks */
	const struct config *cfg;
	unsigned int index;		/* instance of this entry: -drive i, -tap i */
	/* virtio-mmio entries only: */
	const struct virtio_mmio_host *mmio_host;	/* KVM-backed */
	const struct guest_mem *mem;
	struct virtio_mmio_window window;
};

/*
 * A port-I/O device that lives in one block: the table allocates size
 * zeroed bytes, calls init, and registers ports base..base+nr_ports-1 with
 * the block as the handlers' opaque.
 */
struct device_pio {
	size_t size;
	void (*init)(void *dev, const struct device_env *env);
	uint64_t base;
	uint64_t nr_ports;
	bus_read_fn read;
	bus_write_fn write;
};

/*
 * One table entry.  Ops that may be NULL say so; every op is called on the
 * main thread unless noted.
 */
struct vmm_device_ops {
	const char *name;
	bool virtio_mmio;		/* takes a window + GSI, listed in the DSDT */
	/* Instances the configuration asks for (NULL: exactly one). */
	unsigned int (*count)(const struct config *cfg);
	/* Make instance env->index; 0, or -errno with one line in err. */
	int (*create)(void **dev, const struct device_env *env, char *err,
		      size_t errlen);
	/* Instead of create, for a port-I/O device in one block. */
	const struct device_pio *pio;
	/*
	 * Start its I/O thread, after privileges are dropped and before the
	 * vCPUs run; the table passes a hook that installs io_class's seccomp
	 * filter first (or NULL with -no-seccomp).  NULL: no thread.
	 */
	int (*start)(void *dev, const struct io_thread_hook *hook);
	enum seccomp_thread_class io_class;
	/* -stats counters, whole lines on f.  NULL: none. */
	void (*stats)(void *dev, FILE *f);
	/*
	 * Pause support (vm pause, snapshots): when quiesce returns the device
	 * touches no guest memory and raises no interrupt until resume; work
	 * already in flight completes first.  Called with the vCPUs parked.
	 * NULL: the device has no asynchronous work (it acts only on vCPU
	 * register accesses), so there is nothing to park.
	 */
	void (*quiesce)(void *dev);
	void (*resume)(void *dev);
	/*
	 * Snapshots (docs/snapshots.md): save writes the device's own state
	 * (VM paused, device quiesced); load puts it back after create and
	 * before start, -EINVAL when the stream is malformed.  stateless:
	 * the device keeps nothing between accesses, there is nothing to
	 * save.  An entry with neither cannot be part of a snapshot.
	 */
	bool stateless;
	void (*save)(void *dev, struct state_writer *w);
	int (*load)(void *dev, struct state_reader *r);
	/* Stop the I/O thread, once the vCPUs are stopped.  NULL: none. */
	void (*stop)(void *dev);
	/* Flush and free (after every stop); dev may be NULL. */
	void (*destroy)(void *dev);
};

struct device_instance {
	const struct vmm_device_ops *ops;
	void *dev;
	unsigned int index;		/* instance of its entry */
	int slot;			/* virtio-mmio slot, or -1 */
	/* Its I/O thread's filter options (device_table_start). */
	const struct seccomp_opts *seccomp;
};

struct device_table {
	struct device_instance inst[DEVICE_TABLE_MAX_INSTANCES];
	unsigned int nr;
	/* The virtio-mmio windows, in slot order, for the DSDT. */
	struct acpi_virtio_mmio virtio[LAYOUT_VIRTIO_MMIO_MAX];
	unsigned int nr_virtio;
};

/*
 * Plan the instances and their virtio-mmio slots for cfg without creating
 * anything (-dump-acpi uses this alone).  Returns 0, or -ENOSPC with a line
 * in err when the configuration needs more than the table holds.
 */
int device_table_plan(struct device_table *t, const struct config *cfg,
		      char *err, size_t errlen);
/* Plan (if not yet) and create every instance; 0 or -errno + err. */
int device_table_create(struct device_table *t, struct vm *vm, char *err,
			size_t errlen);
/* Start the I/O threads; with seccomp (NULL: -no-seccomp) each installs
 * its entry's io_class filter first. */
int device_table_start(struct device_table *t,
		       const struct seccomp_opts *seccomp, char *err,
		       size_t errlen);
void device_table_print_stats(const struct device_table *t, FILE *f);
/* Quiesce every device (in table order) / resume them (in reverse). */
void device_table_quiesce(struct device_table *t);
void device_table_resume(struct device_table *t);
/* Snapshots: every device's section "dev:NAME"/index; 0 or -errno + err. */
int device_table_save(const struct device_table *t, struct snapshot_out *o,
		      char *err, size_t errlen);
int device_table_load(const struct device_table *t,
		      const struct snapshot_file *f, char *err, size_t errlen);
/* Stop all I/O threads, then destroy all devices (after the vCPUs). */
void device_table_destroy(struct device_table *t);

/* The device of instance index of entry name (created), or NULL: for
 * callers that read a device's own counters (QMP). */
void *device_table_device(const struct device_table *t, const char *name,
			  unsigned int index);

/* The virtio-mmio window of instance index of entry name; false if none. */
bool device_table_window(const struct device_table *t, const char *name,
			 unsigned int index, struct virtio_mmio_window *win);

#endif
