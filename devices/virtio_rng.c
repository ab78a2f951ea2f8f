// SPDX-License-Identifier: MIT
/*
 * virtio-rng: served on the notifying vCPU's thread (the transport's
 * notify op).  Each request popped has its device-writable buffers (at
 * most VIRTIO_RNG_MAX_REQUEST bytes) filled from getrandom() and is
 * returned; a request without writable buffers is returned empty; a
 * malformed queue sets DEVICE_NEEDS_RESET.
 */
#include "devices/virtio_rng.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_ids.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "devices/virtqueue.h"

struct virtio_rng {
	struct virtio_mmio *mmio;
	struct virtio_transport *tp;
	/* Set by activate, cleared by reset; both, and every notify, run
	 * under the transport's lock. */
	struct virtq *vq;
	struct virtq_chain chain;	/* scratch of one notify */
	unsigned int index;		/* virtio-rngN */
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

/*
 * Fill one buffer from the host; false when getrandom fails.  Never
 * waits: this runs on a vCPU thread, which a stop must find back in
 * KVM_RUN promptly, so a host whose own generator is not seeded yet
 * (EAGAIN, early in its boot) returns the request short instead.
 */
static bool virtio_rng_fill(uint8_t *dst, size_t len)
{
	while (len) {
		ssize_t n = getrandom(dst, len, GRND_NONBLOCK);

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

/*
 * QueueNotify: serve what the guest posted.  At most one ring's worth:
 * buffers that another vCPU posts meanwhile come with their own notify
 * (notifications are on again before this returns), so a guest that
 * keeps refilling cannot hold this vCPU, or the transport lock a reset
 * or the VM's end waits for, for ever.  One interrupt for the batch.
 */
static void virtio_rng_notify(void *dev, unsigned int q)
{
	struct virtio_rng *rng = dev;
	struct virtq *vq = rng->vq;
	unsigned int served = 0, round = 0, n;
	bool pushed = false;
	int r = 0;

	if (!vq || q != 0)
		return;
	for (;; round++) {
		virtq_disable_notify(vq);
		for (n = 0; served < vq->size &&
			    (r = virtq_pop(vq, &rng->chain)) > 0; n++) {
			uint32_t len = virtio_rng_serve(rng, &rng->chain);

			virtq_push(vq, rng->chain.head, len);
			pushed = true;
			served++;
			rng->requests++;
			rng->bytes += len;
			if (!len)
				rng->empty++;
		}
		if (r < 0) {
			virtio_needs_reset(rng->tp);
			break;
		}
		/* Notifications on again before any return.  "More" that
		 * yields nothing: the guest moves the index under us (rings
		 * laid over each other); its next notify it is. */
		if (!virtq_enable_notify(vq) || served >= vq->size || (round && !n))
			break;
	}
	if (pushed && virtq_need_interrupt(vq))
		virtio_signal_used(rng->tp);
}

static int virtio_rng_activate(void *dev, uint64_t features, struct virtq *vqs,
			       unsigned int nr)
{
	struct virtio_rng *rng = dev;

	(void)features;
	if (nr < 1)
		return -EINVAL;
	/* Nothing to serve yet: the driver notifies after DRIVER_OK. */
	rng->vq = &vqs[0];
	return 0;
}

static void virtio_rng_reset(void *dev)
{
	struct virtio_rng *rng = dev;

	rng->vq = NULL;
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
	.notify = virtio_rng_notify,
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
	ret = virtio_mmio_create(&rng->mmio, host, mem, win, &virtio_rng_ops, rng);
	if (ret) {
		snprintf(err, errlen, "virtio-rng: cannot create virtio-mmio device %u: %s",
			 win->index, strerror(-ret));
		free(rng);
		return ret;
	}
	rng->tp = virtio_mmio_transport(rng->mmio);
	rng->index = win->index;
	*out = rng;
	return 0;
}

void virtio_rng_save(struct virtio_rng *rng, struct state_writer *w)
{
	virtio_mmio_save(rng->mmio, w);
}

int virtio_rng_load(struct virtio_rng *rng, struct state_reader *r)
{
	return virtio_mmio_load(rng->mmio, r);
}

void virtio_rng_destroy(struct virtio_rng *rng)
{
	if (!rng)
		return;
	virtio_mmio_destroy(rng->mmio);	/* resets the device */
	free(rng);
}

void virtio_rng_print_stats(const struct virtio_rng *rng, FILE *f)
{
	fprintf(f, "minivmm: virtio-rng%u: %" PRIu64 " requests, %" PRIu64 " bytes, %" PRIu64
		" without room, %" PRIu64 " host errors\n", rng->index,
		rng->requests, rng->bytes, rng->empty, rng->errors);
}
