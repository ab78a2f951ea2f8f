// SPDX-License-Identifier: MIT
/*
 * virtio-rng: the I/O thread pops each request, fills its device-writable
 * buffers (at most VIRTIO_RNG_MAX_REQUEST bytes) from getrandom() and
 * returns it.  A request without writable buffers is returned empty; a
 * malformed queue sets DEVICE_NEEDS_RESET.
 */
#include "devices/virtio_rng.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_ids.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

struct virtio_rng {
	char name[16];			/* "virtio-rng<index>", thread name */
	struct virtio_mmio *mmio;
	struct virtio_transport *tp;
	struct event_loop loop;
	bool loop_ready;
	int kick_fd;

	/* Held by the I/O thread around queue work and by activate/reset. */
	pthread_mutex_t lock;
	bool active;
	struct virtq *vq;

	struct virtq_chain chain;	/* I/O thread scratch */
	uint64_t requests, bytes, empty, errors;
};

static uint64_t virtio_rng_features(void *dev)
{
	(void)dev;
	return 0;
}

static void virtio_rng_config_read(void *dev, uint32_t offset, void *data,
				   uint32_t size)
{
	(void)dev;
	(void)offset;
	memset(data, 0, size);	/* no config space */
}

/* Fill one buffer from the host; false when getrandom fails. */
static bool virtio_rng_fill(uint8_t *dst, size_t len)
{
	while (len) {
		ssize_t n = getrandom(dst, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		dst += n;
		len -= (size_t)n;
	}
	return true;
}

/* Returns the bytes written into the chain's writable part. */
static uint32_t virtio_rng_serve(struct virtio_rng *rng, struct virtq_chain *c)
{
	struct iovec *in = virtq_chain_in(c);
	uint32_t done = 0;

	for (unsigned int i = 0; i < c->nr_in && done < VIRTIO_RNG_MAX_REQUEST; i++) {
		size_t len = in[i].iov_len;

		if (len > VIRTIO_RNG_MAX_REQUEST - done)
			len = VIRTIO_RNG_MAX_REQUEST - done;
		if (!virtio_rng_fill(in[i].iov_base, len)) {
			rng->errors++;
			break;
		}
		done += (uint32_t)len;
	}
	return done;
}

/* Drain the queue; one interrupt for the batch.  Under rng->lock. */
static void virtio_rng_process_queue(struct virtio_rng *rng)
{
	struct virtq *vq = rng->vq;
	bool pushed = false;
	int r;

	for (unsigned int round = 0;; round++) {
		unsigned int n = 0;

		virtq_disable_notify(vq);
		while ((r = virtq_pop(vq, &rng->chain)) > 0) {
			uint32_t len = virtio_rng_serve(rng, &rng->chain);

			rng->requests++;
			rng->bytes += len;
			if (!len)
				rng->empty++;
			virtq_push(vq, rng->chain.head, len);
			pushed = true;
			n++;
		}
		if (r < 0) {
			virtio_needs_reset(rng->tp);
			break;
		}
		if (!virtq_enable_notify(vq) || (round && !n))
			break;
	}
	if (pushed && virtq_need_interrupt(vq))
		virtio_signal_used(rng->tp);
}

static void virtio_rng_kick(void *opaque, uint32_t events)
{
	struct virtio_rng *rng = opaque;
	uint64_t v;

	(void)events;
	if (read(rng->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&rng->lock);
	if (rng->active && rng->vq && rng->vq->ready)
		virtio_rng_process_queue(rng);
	pthread_mutex_unlock(&rng->lock);
}

static int virtio_rng_activate(void *dev, uint64_t features, struct virtq *vqs,
			       unsigned int nr)
{
	struct virtio_rng *rng = dev;
	uint64_t one = 1;

	(void)features;
	if (nr < 1)
		return -EINVAL;
	pthread_mutex_lock(&rng->lock);
	rng->vq = &vqs[0];
	rng->active = true;
	pthread_mutex_unlock(&rng->lock);
	/* Serve what was queued before DRIVER_OK, on the I/O thread. */
	if (write(rng->kick_fd, &one, sizeof(one)) < 0)
		return 0;	/* the counter is full: a wake-up is pending */
	return 0;
}

static void virtio_rng_reset(void *dev)
{
	struct virtio_rng *rng = dev;

	pthread_mutex_lock(&rng->lock);
	rng->active = false;
	rng->vq = NULL;
	pthread_mutex_unlock(&rng->lock);
}

static const struct virtio_device_ops virtio_rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.queue_max_size = VIRTQ_MAX_SIZE,
	.config_size = 0,
	.features = virtio_rng_features,
	.config_read = virtio_rng_config_read,
	.config_write = NULL,
	.activate = virtio_rng_activate,
	.reset = virtio_rng_reset,
};

int virtio_rng_create(struct virtio_rng **out,
		      const struct virtio_mmio_host *host,
		      const struct guest_mem *mem,
		      const struct virtio_mmio_window *win, char *err,
		      size_t errlen)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));
	int ret;

	if (!rng) {
		snprintf(err, errlen, "virtio-rng: out of memory");
		return -ENOMEM;
	}
	rng->kick_fd = -1;
	snprintf(rng->name, sizeof(rng->name), "virtio-rng%u", win->index);
	pthread_mutex_init(&rng->lock, NULL);
	ret = event_loop_init(&rng->loop, rng->name);
	if (ret) {
		snprintf(err, errlen, "virtio-rng: event loop: %s", strerror(-ret));
		goto fail_free;
	}
	rng->loop_ready = true;
	ret = virtio_mmio_create(&rng->mmio, host, mem, win, &virtio_rng_ops, rng);
	if (ret) {
		snprintf(err, errlen, "virtio-rng: cannot create virtio-mmio device %u: %s",
			 win->index, strerror(-ret));
		goto fail_loop;
	}
	rng->tp = virtio_mmio_transport(rng->mmio);
	rng->kick_fd = virtio_kick_fd(rng->tp, 0);
	ret = event_loop_add(&rng->loop, rng->kick_fd, EPOLLIN, virtio_rng_kick, rng);
	if (ret) {
		snprintf(err, errlen, "virtio-rng: event loop: %s", strerror(-ret));
		goto fail_mmio;
	}
	*out = rng;
	return 0;
fail_mmio:
	virtio_mmio_destroy(rng->mmio);
fail_loop:
	event_loop_destroy(&rng->loop);
fail_free:
	pthread_mutex_destroy(&rng->lock);
	free(rng);
	return ret;
}

int virtio_rng_start(struct virtio_rng *rng, const struct io_thread_hook *hook)
{
	return event_loop_start(&rng->loop, hook);
}

void virtio_rng_quiesce(struct virtio_rng *rng)
{
	event_loop_pause(&rng->loop);
}

void virtio_rng_resume(struct virtio_rng *rng)
{
	event_loop_resume(&rng->loop);
}

void virtio_rng_stop(struct virtio_rng *rng)
{
	event_loop_stop(&rng->loop);
}

void virtio_rng_destroy(struct virtio_rng *rng)
{
	if (!rng)
		return;
	event_loop_stop(&rng->loop);
	virtio_mmio_destroy(rng->mmio);	/* resets the device */
	event_loop_destroy(&rng->loop);
	pthread_mutex_destroy(&rng->lock);
	free(rng);
}

void virtio_rng_print_stats(const struct virtio_rng *rng, FILE *f)
{
	fprintf(f, "minivmm: %s: %" PRIu64 " requests, %" PRIu64 " bytes, %" PRIu64
		" without room, %" PRIu64 " host errors\n", rng->name,
		rng->requests, rng->bytes, rng->empty, rng->errors);
}
