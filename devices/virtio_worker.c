// SPDX-License-Identifier: MIT
/*
 * The I/O thread of a virtio device: kicks in, chains served within a
 * budget, used entries and one interrupt per batch out.  See the header.
 */
#include "devices/virtio_worker.h"

#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

int virtio_worker_init(struct virtio_worker *w, const char *name,
		       const struct virtio_worker_ops *ops, void *dev,
		       struct virtio_worker_budget budget)
{
	int ret;

	snprintf(w->name, sizeof(w->name), "%s", name);
	w->ops = ops;
	w->dev = dev;
	w->budget = budget;
	w->nr_queues = 0;
	w->active = false;
	w->vqs = NULL;
	atomic_init(&w->resetting, false);
	atomic_init(&w->stopping, false);
	ret = event_loop_init(&w->loop, w->name);
	if (ret) {
		event_loop_destroy(&w->loop);
		return ret;
	}
	pthread_mutex_init(&w->lock, NULL);
	return 0;
}

bool virtio_worker_abandon_wanted(struct virtio_worker *w)
{
	return atomic_load(&w->resetting) || atomic_load(&w->stopping);
}

/*
 * Out of budget (or a reset/stop is waiting for the lock): wake this
 * thread again through the queue's own kick, after the loop has looked at
 * stop and pause.  Notifications stay off meanwhile; if the self-kick
 * cannot be written (counter full: a wake-up is pending anyway) they are
 * turned back on so the guest's next kick is not lost.
 */
static bool virtio_worker_yield(struct virtio_worker *w, unsigned int q,
				unsigned int served)
{
	uint64_t one = 1;

	if (served < w->budget.chains &&
	    (!w->budget.bytes || w->batch_bytes < w->budget.bytes) &&
	    !virtio_worker_abandon_wanted(w))
		return false;
	if (write(w->queue[q].kick_fd, &one, sizeof(one)) < 0)
		virtq_enable_notify(&w->vqs[q]);
	return true;
}

/*
 * Drain queue q within the budget; one interrupt for the batch.  Under
 * the lock.
 */
static void virtio_worker_drain(struct virtio_worker *w, unsigned int q)
{
	struct virtq *vq = &w->vqs[q];
	unsigned int served = 0;
	bool pushed = false;
	int r;

	w->batch_bytes = 0;
	for (unsigned int round = 0;; round++) {
		unsigned int n = 0;

		virtq_disable_notify(vq);
		while ((r = virtq_pop(vq, &w->chain)) > 0) {
			int64_t len = w->ops->serve(w->dev, q, &w->chain);

			if (len == VIRTIO_WORKER_ABANDONED)
				return;	/* reset or stop: no interrupt */
			virtq_push(vq, w->chain.head, (uint32_t)len);
			pushed = true;
			n++;
			if (virtio_worker_yield(w, q, ++served))
				goto signal;
		}
		if (r < 0) {
			if (w->ops->broken)
				w->ops->broken(w->dev, q, r);
			virtio_needs_reset(w->tp);
			break;
		}
		/* "More" that yields nothing: the guest moves the index under
		 * us (rings laid over each other); wait for its next kick. */
		if (!virtq_enable_notify(vq) || (round && !n))
			break;
	}
signal:
	if (pushed && virtq_need_interrupt(vq))
		virtio_signal_used(w->tp);
}

static void virtio_worker_kick(void *opaque, uint32_t events)
{
	struct virtio_worker_queue *kq = opaque;
	struct virtio_worker *w = kq->w;
	uint64_t v;

	(void)events;
	if (read(kq->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&w->lock);
	if (w->active && w->vqs && w->vqs[kq->index].ready)
		virtio_worker_drain(w, kq->index);
	pthread_mutex_unlock(&w->lock);
}

int virtio_worker_attach(struct virtio_worker *w, struct virtio_transport *tp,
			 unsigned int nr_queues)
{
	if (nr_queues > VIRTIO_WORKER_MAX_QUEUES)
		return -EINVAL;
	w->tp = tp;
	for (unsigned int q = 0; q < nr_queues; q++) {
		struct virtio_worker_queue *kq = &w->queue[q];
		int ret;

		*kq = (struct virtio_worker_queue){
			.w = w, .index = q, .kick_fd = virtio_kick_fd(tp, q),
		};
		ret = event_loop_add(&w->loop, kq->kick_fd, EPOLLIN,
				     virtio_worker_kick, kq);
		if (ret)
			return ret;
		w->nr_queues = q + 1;
	}
	return 0;
}

int virtio_worker_activate(struct virtio_worker *w, struct virtq *vqs,
			   unsigned int nr)
{
	uint64_t one = 1;

	if (nr < w->nr_queues)
		return -EINVAL;
	pthread_mutex_lock(&w->lock);
	w->vqs = vqs;
	w->active = true;
	pthread_mutex_unlock(&w->lock);
	/* Serve what was queued before DRIVER_OK, on the I/O thread; a full
	 * counter means a wake-up is pending already. */
	for (unsigned int q = 0; q < w->nr_queues; q++)
		if (write(w->queue[q].kick_fd, &one, sizeof(one)) < 0)
			continue;
	return 0;
}

void virtio_worker_reset(struct virtio_worker *w)
{
	/*
	 * The thread drops the chain in flight at the device's next look and
	 * pops no other; once the lock is ours guest memory is not the I/O
	 * thread's any more.
	 */
	atomic_store(&w->resetting, true);
	pthread_mutex_lock(&w->lock);
	w->active = false;
	w->vqs = NULL;
	atomic_store(&w->resetting, false);
	pthread_mutex_unlock(&w->lock);
}

int virtio_worker_start(struct virtio_worker *w,
			const struct io_thread_hook *hook)
{
	return event_loop_start(&w->loop, hook);
}

void virtio_worker_quiesce(struct virtio_worker *w)
{
	event_loop_pause(&w->loop);
}

void virtio_worker_resume(struct virtio_worker *w)
{
	event_loop_resume(&w->loop);
}

void virtio_worker_stop(struct virtio_worker *w)
{
	atomic_store(&w->stopping, true);
	event_loop_stop(&w->loop);
}

void virtio_worker_destroy(struct virtio_worker *w)
{
	virtio_worker_stop(w);
	event_loop_destroy(&w->loop);
	pthread_mutex_destroy(&w->lock);
}
