/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues (virtio 1.x, section 2.7), device side, checked.
 *
 * The guest owns the rings and may change them at any moment from another
 * vCPU, so every index, address, length and flag is read once into a local
 * copy, checked, then used: descriptor buffers through guest_mem_ptr(),
 * chains bounded by the queue size (a loop cannot hang the VMM), indirect
 * tables bounded and never nested, readable descriptors before writable
 * ones.  A violation marks the queue broken and returns an error; the
 * device then asks its transport for DEVICE_NEEDS_RESET (the OpenBSD vmd
 * rule: never crash, never guess).
 *
 * Threading: one virtq is driven by one thread at a time between
 * virtq_activate() and virtq_reset(): the device's I/O thread, or for a
 * device served on its notifications (virtio-rng) the notifying vCPU's
 * thread under the transport's lock.  Ring indices shared with
 * the guest use acquire/release atomics and full fences where the spec
 * needs store->load ordering (notification suppression).
 *
 * Typical device loop:
 *
 *	for (;;) {
 *		virtq_disable_notify(vq);
 *		while ((r = virtq_pop(vq, &chain)) > 0) {
 *			len = handle(&chain);      // vectored I/O on chain.iov
 *			virtq_push(vq, chain.head, len);
 *		}
 *		if (r < 0) { ask for NEEDS_RESET; break; }
 *		if (!virtq_enable_notify(vq))
 *			break;                      // nothing raced in
 *	}
 *	if (virtq_need_interrupt(vq))
 *		raise the used-buffer interrupt;
 */
#ifndef MINIVMM_VIRTQUEUE_H
#define MINIVMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "vmm/guest_mem.h"

/* Largest queue we offer (QueueNumMax); also the longest chain accepted. */
#define VIRTQ_MAX_SIZE		256

/*
 * The ring layout, its descriptor flags and the ring feature bits are the
 * kernel's (<linux/virtio_ring.h>: struct vring_desc, vring_avail,
 * vring_used; VRING_DESC_F_*, VIRTIO_RING_F_*); VIRTIO_F_VERSION_1 comes
 * from <linux/virtio_config.h>.  Little-endian, as minivmm runs on x86-64
 * hosts only.
 */

/*
 * One queue.  The ring pointers are host addresses obtained from
 * guest_mem_ptr() for the whole ring when the queue is activated; guest
 * RAM is mapped for the life of the VM, so they stay valid.
 */
struct virtq {
	/* Set by virtq_activate(), constant until virtq_reset(). */
	const struct guest_mem *mem;
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	uint16_t size;		/* power of two, <= VIRTQ_MAX_SIZE */
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool ready;		/* activated and usable */

	/* Device-side state, owned by the device's I/O thread. */
	bool broken;		/* guest broke the ring rules: stop */
	uint16_t last_avail;	/* next avail ring entry to consume */
	uint16_t used_idx;	/* our copy of used->idx, incl. unpublished */
	uint16_t signalled_used; /* used idx at the last interrupt */
	bool signalled_valid;	/* signalled_used means something */
	uint64_t nr_chains;	/* counters for -stats */
	uint64_t nr_errors;
};

/*
 * One popped descriptor chain as an iovec view straight into guest memory:
 * iov[0, nr_out) is device-readable (driver -> device), then
 * iov[nr_out, nr_out + nr_in) is device-writable.  Zero-length descriptors
 * are legal and produce no iovec entry.
 */
struct virtq_chain {
	uint16_t head;		/* give this back to virtq_push() */
	uint16_t nr_out;
	uint16_t nr_in;
	uint64_t out_len;	/* bytes readable */
	uint64_t in_len;	/* bytes writable */
	struct iovec iov[VIRTQ_MAX_SIZE];
};

static inline struct iovec *virtq_chain_out(struct virtq_chain *c)
{
	return c->iov;
}

static inline struct iovec *virtq_chain_in(struct virtq_chain *c)
{
	return c->iov + c->nr_out;
}

/*
 * Check the rings and make the queue usable.  size must be a power of two
 * in [1, VIRTQ_MAX_SIZE]; desc 16-byte aligned, avail 2, used 4; the three
 * areas (with their event fields) must be guest RAM.  features are the
 * negotiated ones (EVENT_IDX, INDIRECT_DESC are looked at).
 * Returns 0, -EINVAL (size/alignment) or -EFAULT (not RAM).
 */
int virtq_activate(struct virtq *vq, const struct guest_mem *mem,
		   uint16_t size, uint64_t desc_gpa, uint64_t avail_gpa,
		   uint64_t used_gpa, uint64_t features);

/* Forget everything: back to the state of a zeroed struct virtq. */
void virtq_reset(struct virtq *vq);

/*
 * Take the next available chain.  Returns 1 with *chain filled, 0 when the
 * ring is empty (or the queue not ready), or a negative error after which
 * the queue is broken (every later call returns -EPROTO):
 *   -EPROTO   the avail ring is insane (idx moved by more than the size,
 *             head index out of range);
 *   -EBADMSG  the chain is malformed (loop / longer than the queue, buffer
 *             not in RAM, readable after writable, bad indirect table,
 *             indirect not negotiated or nested).
 * The caller then requests DEVICE_NEEDS_RESET from its transport.
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *chain);

/* Give back the chain popped last (e.g. no RX packet to fill it with). */
void virtq_unpop(struct virtq *vq);

/*
 * Return a chain to the guest with len bytes written into its writable
 * part.  virtq_add_used() only fills the used ring entry; virtq_publish_used()
 * makes everything added so far visible (release store of used->idx), so
 * several chains can appear at once (mergeable RX buffers).  virtq_push()
 * is both.
 */
void virtq_add_used(struct virtq *vq, uint16_t head, uint32_t len);
void virtq_publish_used(struct virtq *vq);
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/*
 * After publishing: does the guest want an interrupt now?  Honours
 * VRING_AVAIL_F_NO_INTERRUPT or, with EVENT_IDX, used_event.  Call once per
 * batch; it records what was signalled.
 */
bool virtq_need_interrupt(struct virtq *vq);

/*
 * Guest->device notification suppression while the device is busy
 * draining the queue.  virtq_enable_notify() re-enables and returns true
 * if buffers arrived in between (the caller must pop again).
 */
void virtq_disable_notify(struct virtq *vq);
bool virtq_enable_notify(struct virtq *vq);

/*
 * One line (no newline) with the device's and the guest's view of the ring
 * indices and notification fields, for -stats and hang reports.  Call it
 * where the queue's owner would (under the device lock).
 */
void virtq_describe(const struct virtq *vq, char *buf, size_t len);

/* Copy from the readable / into the writable part at byte offset off. */
size_t virtq_chain_read(const struct virtq_chain *c, uint64_t off,
			void *dst, size_t len);
size_t virtq_chain_write(const struct virtq_chain *c, uint64_t off,
			 const void *src, size_t len);

/*
 * dst = the bytes [off, off + len) of the iovec array src[0, nr).
 * Returns the number of dst entries (<= dst_max), or -1 when the range is
 * not inside src or does not fit in dst_max entries.
 */
int virtq_iov_slice(struct iovec *dst, unsigned int dst_max,
		    const struct iovec *src, unsigned int nr,
		    uint64_t off, uint64_t len);

#endif
