/* SPDX-License-Identifier: MIT */
/*
 * virtio-MMIO transport, version 2 (modern only; virtio 1.x section 4.2).
 *
 * The transport owns the register window, the device-status state machine,
 * feature negotiation (VIRTIO_F_VERSION_1 required), the queue registers
 * and the virtqueues, the config generation counter and the interrupt
 * status.  It knows nothing about the device behind it: the device plugs in
 * through struct virtio_device_ops and talks back only through
 * struct virtio_transport (signal used buffers, config change, needs
 * reset, the queues' kick eventfds).
 *
 * Threads: register accesses arrive on vCPU threads and are serialised by
 * a lock in the transport.  Guest queue notifications are KVM ioeventfds
 * (one eventfd per queue on QueueNotify with datamatch = queue index) that
 * the device's I/O thread polls; an interrupt is one edge on the
 * transport's GSI, raised through the host (KVM_IRQ_LINE in vmm/).
 * The device does its work on its own I/O thread, never on a vCPU.
 *
 * Where a transport sits (its window and GSI) is chosen by vmm/ and handed
 * in as a struct virtio_mmio_window; the interrupt is edge-triggered (one
 * pulse per interrupt; described as edge, active-high in the DSDT).
 */
#ifndef MINIVMM_VIRTIO_MMIO_H
#define MINIVMM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#include "boot/layout.h"
#include "devices/virtqueue.h"
#include "vmm/bus.h"
#include "vmm/guest_mem.h"

#define VIRTIO_MMIO_MAX_QUEUES	8

/*
 * The register map (VIRTIO_MMIO_*), the InterruptStatus bits, the device
 * status bits (VIRTIO_CONFIG_S_*) and the device IDs (VIRTIO_ID_*) are the
 * kernel's: <linux/virtio_mmio.h>, <linux/virtio_config.h>,
 * <linux/virtio_ids.h>.
 */

#define VIRTIO_MMIO_MAGIC		0x74726976
#define VIRTIO_MMIO_VENDOR		0x4d4d564d	/* "MVMM" */

/* ---- the seam between a device and its transport ---- */

/* What the device calls; implemented by the transport. */
struct virtio_transport {
	/* Used buffers were published: raise the vring interrupt. */
	void (*signal_used)(struct virtio_transport *t);
	/* Device config changed: bump the generation, config interrupt. */
	void (*signal_config)(struct virtio_transport *t);
	/* The guest broke the rules: DEVICE_NEEDS_RESET + config interrupt. */
	void (*needs_reset)(struct virtio_transport *t);
	/*
	 * Eventfd that becomes readable when the guest notifies queue q.
	 * Valid from the transport's creation to its destruction, the same
	 * fd across resets, so a device may poll it from the start.  -1 for
	 * a device served on the notification itself (ops->notify).
	 */
	int (*kick_fd)(struct virtio_transport *t, unsigned int q);
};

/* All four may be called from any thread; none blocks or takes a lock
 * the transport holds while calling the device. */
static inline void virtio_signal_used(struct virtio_transport *t)
{
	t->signal_used(t);
}

static inline void virtio_signal_config(struct virtio_transport *t)
{
	t->signal_config(t);
}

static inline void virtio_needs_reset(struct virtio_transport *t)
{
	t->needs_reset(t);
}

static inline int virtio_kick_fd(struct virtio_transport *t, unsigned int q)
{
	return t->kick_fd(t, q);
}

/* What the transport calls; implemented by the device. */
struct virtio_device_ops {
	const char *name;
	uint32_t device_id;		/* VIRTIO_ID_* */
	unsigned int nr_queues;		/* <= VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max_size;	/* power of two <= VIRTQ_MAX_SIZE */
	uint32_t config_size;		/* bytes of device config space */

	/*
	 * Device feature bits.  The transport adds VIRTIO_F_VERSION_1,
	 * VIRTIO_RING_F_INDIRECT_DESC and VIRTIO_RING_F_EVENT_IDX itself.
	 */
	uint64_t (*features)(void *dev);

	/*
	 * Config space access; offset + size <= config_size is guaranteed,
	 * size is 1, 2, 4 or 8.  config_write may be NULL (writes dropped).
	 */
	void (*config_read)(void *dev, uint32_t offset, void *data,
			    uint32_t size);
	void (*config_write)(void *dev, uint32_t offset, const void *data,
			     uint32_t size);

	/*
	 * The driver set DRIVER_OK.  vqs[0, nr) are the device's queues (a
	 * queue the driver did not enable has ready == false); they belong
	 * to the device until reset() returns.  features are the negotiated
	 * ones.  Called on a vCPU thread under the transport lock: hand the
	 * work to the I/O thread (e.g. write the kick fds), do not do it
	 * here.  A negative return sets DEVICE_NEEDS_RESET.
	 */
	int (*activate)(void *dev, uint64_t features, struct virtq *vqs,
			unsigned int nr);

	/*
	 * Optional: serve queue q now, on the thread of the vCPU that wrote
	 * QueueNotify, under the transport lock; only while the device is
	 * live and q ready.  For a device whose work never blocks and is
	 * bounded per call (virtio-rng: getrandom() into the buffers the
	 * guest posted): it then has no kick eventfd, no KVM ioeventfd and
	 * no I/O thread, which cost more to set up and tear down than all
	 * its requests of a boot (docs/benchmarks.md).  A pause needs
	 * nothing from such a device: its work ends with the vCPU's exit.
	 */
	void (*notify)(void *dev, unsigned int q);

	/*
	 * The driver wrote 0 to Status (or the transport is destroyed): stop
	 * all work on the queues, wait for in-flight requests, forget the
	 * negotiated state.  When it returns the device no longer touches
	 * guest memory.  Called on a vCPU thread under the transport lock,
	 * so it must not wait for anything that calls back into the
	 * transport under a lock (the virtio_transport calls above are
	 * lock-free and safe).
	 */
	void (*reset)(void *dev);
};

/* ---- the transport ---- */

/*
 * How the transport reaches KVM; tests pass fakes.  add_ioeventfd may be
 * NULL or fail: the transport then makes a plain eventfd and signals it
 * itself from the QueueNotify register write.
 */
struct virtio_mmio_host {
	void *opaque;
	int (*register_mmio)(void *opaque, const struct bus_device *dev);
	/* Returns a non-blocking eventfd (the device polls it), or -errno. */
	int (*add_ioeventfd)(void *opaque, uint64_t addr, uint32_t datamatch);
	int (*remove_ioeventfd)(void *opaque, int fd, uint64_t addr,
				uint32_t datamatch);
	/*
	 * One edge on the GSI.  Called from any thread (vCPU, I/O, main);
	 * must not block.  0 or -errno (the transport cannot do better than
	 * drop an interrupt it could not raise).
	 */
	int (*pulse_irq)(void *opaque, uint32_t gsi);
};

/*
 * Where the transport sits, chosen by vmm/ (vmm/device_table.c has the one
 * slot rule): LAYOUT_VIRTIO_MMIO_SIZE bytes at base, interrupt on gsi.
 * index names the device ("virtio-blk0") and is nothing to the guest.
 */
struct virtio_mmio_window {
	unsigned int index;
	uint64_t base;
	uint32_t gsi;
};

struct virtio_mmio;

/*
 * Create the transport for dev in window win: one ioeventfd per queue
 * (none when ops->notify serves them), then register the window on the
 * MMIO bus.  Returns 0 or -errno
 * (-EINVAL bad ops, -EBUSY window taken).
 */
int virtio_mmio_create(struct virtio_mmio **out,
		       const struct virtio_mmio_host *host,
		       const struct guest_mem *mem,
		       const struct virtio_mmio_window *win,
		       const struct virtio_device_ops *ops, void *dev);

/* The handle the device keeps to call back (valid until destroy). */
struct virtio_transport *virtio_mmio_transport(struct virtio_mmio *t);

/*
 * Reset the device if it is live (ops->reset), drop the ioeventfds, close
 * the eventfds, free.  The MMIO window stays registered (the bus has no
 * unregister): call only once the vCPUs are stopped.
 */
void virtio_mmio_destroy(struct virtio_mmio *t);

/*
 * Snapshots: the registers, the negotiated state and each queue's
 * addresses and device-side indices.  Save with the device quiesced (no
 * request in flight).  Load before the device's I/O thread starts: every
 * field is checked as the register interface would check it, the queues
 * are mapped again, and a live device is activated with its indices as
 * saved (it serves what the driver queued meanwhile).  -EINVAL when
 * malformed.
 */
struct state_writer;
struct state_reader;
void virtio_mmio_save(struct virtio_mmio *t, struct state_writer *w);
int virtio_mmio_load(struct virtio_mmio *t, struct state_reader *r);

/*
 * The MMIO handlers registered on the bus (offset relative to the
 * window); exposed so tests can drive the register interface directly.
 */
void virtio_mmio_read(void *opaque, uint64_t offset, void *data,
		      uint32_t size);
void virtio_mmio_write(void *opaque, uint64_t offset, const void *data,
		       uint32_t size);

#endif
