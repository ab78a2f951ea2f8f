// SPDX-License-Identifier: MIT
/*
 * virtio-rng: the I/O thread pops each request, fills its device-writable
 * buffers (at most VIRTIO_RNG_MAX_REQUEST bytes) from getrandom() and
 * returns it (devices/virtio_worker.c: the thread, the lock, the budget).  A request without writable buffers is returned empty; a
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

#include "devices/virtio_worker.h"

/*
 * One wake-up of the I/O thread serves at most this many requests (or
 * bytes) before it kicks itself and returns to its event loop: a guest
 * refilling the queue from another vCPU cannot hold off a pause, a reset
 * or the end of the VM.  1 MiB is a few milliseconds of getrandom().
 */
#define VIRTIO_RNG_BUDGET	64
#define VIRTIO_RNG_BUDGET_BYTES	(1u << 20)

struct virtio_rng {
	struct virtio_worker worker;	/* the I/O thread and its queue */
	struct virtio_mmio *mmio;
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

/* One request: its writable buffers filled, their length pushed. */
static int64_t virtio_rng_serve_chain(void *dev, unsigned int q,
				      struct virtq_chain *c)
{
	struct virtio_rng *rng = dev;
	uint32_t len = virtio_rng_serve(rng, c);

	(void)q;
	rng->requests++;
	rng->bytes += len;
	if (!len)
		rng->empty++;
	virtio_worker_charge(&rng->worker, len);
	return len;
}

static const struct virtio_worker_ops virtio_rng_worker_ops = {
	.serve = virtio_rng_serve_chain,
	.broken = NULL,		/* NEEDS_RESET says it; nothing to count */
};

static int virtio_rng_activate(void *dev, uint64_t features, struct virtq *vqs,
			       unsigned int nr)
{
	struct virtio_rng *rng = dev;

	(void)features;
	return virtio_worker_activate(&rng->worker, vqs, nr);
}

static void virtio_rng_reset(void *dev)
{
	struct virtio_rng *rng = dev;

	virtio_worker_reset(&rng->worker);
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
	const struct virtio_worker_budget budget = {
		.chains = VIRTIO_RNG_BUDGET, .bytes = VIRTIO_RNG_BUDGET_BYTES,
	};
	struct virtio_rng *rng = calloc(1, sizeof(*rng));
	char name[16];
	int ret;

	if (!rng) {
		snprintf(err, errlen, "virtio-rng: out of memory");
		return -ENOMEM;
	}
	snprintf(name, sizeof(name), "virtio-rng%u", win->index);
	ret = virtio_worker_init(&rng->worker, name, &virtio_rng_worker_ops,
				 rng, budget);
	if (ret) {
		snprintf(err, errlen, "virtio-rng: event loop: %s", strerror(-ret));
		free(rng);
		return ret;
	}
	ret = virtio_mmio_create(&rng->mmio, host, mem, win, &virtio_rng_ops, rng);
	if (ret) {
		snprintf(err, errlen, "virtio-rng: cannot create virtio-mmio device %u: %s",
			 win->index, strerror(-ret));
		goto fail_worker;
	}
	ret = virtio_worker_attach(&rng->worker, virtio_mmio_transport(rng->mmio),
				   virtio_rng_ops.nr_queues);
	if (ret) {
		snprintf(err, errlen, "virtio-rng: event loop: %s", strerror(-ret));
		goto fail_mmio;
	}
	*out = rng;
	return 0;
fail_mmio:
	virtio_mmio_destroy(rng->mmio);
fail_worker:
	virtio_worker_destroy(&rng->worker);
	free(rng);
	return ret;
}

int virtio_rng_start(struct virtio_rng *rng, const struct io_thread_hook *hook)
{
	return virtio_worker_start(&rng->worker, hook);
}

void virtio_rng_quiesce(struct virtio_rng *rng)
{
	virtio_worker_quiesce(&rng->worker);
}

void virtio_rng_resume(struct virtio_rng *rng)
{
	virtio_worker_resume(&rng->worker);
}

void virtio_rng_save(struct virtio_rng *rng, struct state_writer *w)
{
	virtio_mmio_save(rng->mmio, w);
}

int virtio_rng_load(struct virtio_rng *rng, struct state_reader *r)
{
	return virtio_mmio_load(rng->mmio, r);
}

void virtio_rng_stop(struct virtio_rng *rng)
{
	virtio_worker_stop(&rng->worker);
}

void virtio_rng_destroy(struct virtio_rng *rng)
{
	if (!rng)
		return;
	virtio_worker_stop(&rng->worker);
	virtio_mmio_destroy(rng->mmio);	/* resets the device */
	virtio_worker_destroy(&rng->worker);
	free(rng);
}

void virtio_rng_print_stats(const struct virtio_rng *rng, FILE *f)
{
	fprintf(f, "minivmm: %s: %" PRIu64 " requests, %" PRIu64 " bytes, %" PRIu64
		" without room, %" PRIu64 " host errors\n", rng->worker.name,
		rng->requests, rng->bytes, rng->empty, rng->errors);
}
