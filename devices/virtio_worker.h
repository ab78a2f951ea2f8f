/* SPDX-License-Identifier: MIT */
/*
 * The I/O thread of a virtio device that serves its queues one chain at a
 * time: the event loop on the queues' kick eventfds, the lock that keeps
 * activate/reset (vCPU thread) apart from queue work (I/O thread), the
 * drain loop with its per-wake-up budget, and the start / quiesce / stop
 * handshake.  The device brings only what one chain means (its serve op).
 *
 * A device embeds a struct virtio_worker, calls virtio_worker_init()
 * before virtio_mmio_create() and virtio_worker_attach() after it, and
 * forwards its transport ops' activate and reset here.  Like the rest of
 * devices/ it knows nothing of KVM or of the VM core.
 */
#ifndef MINIVMM_VIRTIO_WORKER_H
#define MINIVMM_VIRTIO_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/event_loop.h"
#include "devices/virtio_mmio.h"
#include "devices/virtqueue.h"

#define VIRTIO_WORKER_MAX_QUEUES 2

/* serve's answer when a reset or stop came half-way through the chain:
 * nothing is pushed and no interrupt is raised (see abandon_wanted). */
#define VIRTIO_WORKER_ABANDONED (-1)

struct virtio_worker_ops {
	/*
	 * Serve chain c popped from queue q, on the I/O thread under the
	 * worker's lock.  Returns the bytes written into the chain's
	 * writable part (the used length the worker pushes), or
	 * VIRTIO_WORKER_ABANDONED.
	 */
	int64_t (*serve)(void *dev, unsigned int q, struct virtq_chain *c);
	/*
	 * Queue q is malformed (err is virtq_pop's -errno); the worker sets
	 * DEVICE_NEEDS_RESET afterwards.  For the device's own message and
	 * counter; may be NULL.
	 */
	void (*broken)(void *dev, unsigned int q, int err);
};

/*
 * What one wake-up of the thread may serve before it kicks itself and goes
 * back to its event loop (stop, pause, the other queues): a guest that
 * keeps refilling a queue from another vCPU must not hold the lock, and
 * with it a reset, a pause or the end of the VM, for ever.
 */
struct virtio_worker_budget {
	unsigned int chains;		/* > 0 */
	uint64_t bytes;			/* virtio_worker_charge(); 0: no limit */
};

struct virtio_worker;

/* The opaque of one queue's kick source in the event loop. */
struct virtio_worker_queue {
	struct virtio_worker *w;
	unsigned int index;
	int kick_fd;
};

struct virtio_worker {
	char name[24];			/* the thread's name */
	const struct virtio_worker_ops *ops;
	void *dev;
	struct virtio_worker_budget budget;
	struct event_loop loop;
	struct virtio_transport *tp;
	struct virtio_worker_queue queue[VIRTIO_WORKER_MAX_QUEUES];
	unsigned int nr_queues;

	/* Held by the I/O thread around queue work and by activate/reset. */
	pthread_mutex_t lock;
	bool active;
	struct virtq *vqs;
	/*
	 * Set by reset before it takes the lock (cleared under it) and by
	 * stop for good: the chain in flight may be dropped, and no further
	 * chain is popped, so neither waits for a guest-sized amount of work.
	 */
	atomic_bool resetting;
	atomic_bool stopping;

	/* I/O thread scratch. */
	struct virtq_chain chain;
	uint64_t batch_bytes;		/* charged in this wake-up */
};

/*
 * Before virtio_mmio_create(): the lock and the event loop, a thread named
 * name (truncated to 15 bytes by the kernel).  0 or -errno; on failure
 * nothing needs undoing.
 */
int virtio_worker_init(struct virtio_worker *w, const char *name,
		       const struct virtio_worker_ops *ops, void *dev,
		       struct virtio_worker_budget budget);
/* After virtio_mmio_create(): watch the kicks of queues 0..nr-1. */
int virtio_worker_attach(struct virtio_worker *w, struct virtio_transport *tp,
			 unsigned int nr_queues);

/* The device's activate / reset transport ops (vCPU thread). */
int virtio_worker_activate(struct virtio_worker *w, struct virtq *vqs,
			   unsigned int nr);
void virtio_worker_reset(struct virtio_worker *w);

/* For serve: drop the chain in flight (return VIRTIO_WORKER_ABANDONED)? */
bool virtio_worker_abandon_wanted(struct virtio_worker *w);
/* For serve: bytes moved, counted against the budget's bytes. */
static inline void virtio_worker_charge(struct virtio_worker *w, uint64_t bytes)
{
	w->batch_bytes += bytes;
}

/* The device's life cycle (main thread), as for struct event_loop. */
int virtio_worker_start(struct virtio_worker *w,
			const struct io_thread_hook *hook);
void virtio_worker_quiesce(struct virtio_worker *w);
void virtio_worker_resume(struct virtio_worker *w);
/* The chain in flight may be dropped; the thread ends (idempotent). */
void virtio_worker_stop(struct virtio_worker *w);
/* After virtio_mmio_destroy() (which resets through the worker). */
void virtio_worker_destroy(struct virtio_worker *w);

#endif
