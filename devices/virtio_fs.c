// SPDX-License-Identifier: MIT
/*
 * virtio-fs: config space, the two queues, and what the I/O thread (a
 * struct virtio_worker) does with a chain: hand it to the FUSE server.  The
 * transport is reached only through struct virtio_transport, the files only
 * through fuse_server.
 */
#include "devices/virtio_fs.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_fs.h>
#include <stdlib.h>
#include <string.h>

#include "devices/fuse_server.h"
#include "devices/virtio_worker.h"
#include "vmm/log.h"

#define VIRTIO_FS_QUEUE_HIPRIO	0
#define VIRTIO_FS_QUEUE_REQUEST	1
#define VIRTIO_FS_NR_QUEUES	2

/*
 * One wake-up of the I/O thread serves at most this many requests (or
 * reply bytes) on a queue before it kicks itself and returns to its loop:
 * a guest refilling the request queue cannot hold off a pause, a reset or
 * the end of the VM.
 */
#define VIRTIO_FS_BUDGET	32
#define VIRTIO_FS_BUDGET_BYTES	(16u << 20)

struct virtio_fs {
	struct virtio_worker worker;	/* the I/O thread and its queues */
	char path[256];			/* for messages */
	struct virtio_fs_config config;
	struct fuse_server *server;
	struct virtio_mmio *mmio;
	bool broken_logged;
	uint64_t chains, bad_chains;
};

/* ---- transport side ---- */

static uint64_t virtio_fs_features(void *dev)
{
	(void)dev;
	return 0;	/* no notification queue, no DAX */
}

static void virtio_fs_config_read(void *dev, uint32_t offset, void *data,
				  uint32_t size)
{
	struct virtio_fs *fs = dev;

	memcpy(data, (const uint8_t *)&fs->config + offset, size);
}

static int virtio_fs_activate(void *dev, uint64_t features, struct virtq *vqs,
			      unsigned int nr)
{
	struct virtio_fs *fs = dev;

	(void)features;
	return virtio_worker_activate(&fs->worker, vqs, nr);
}

static void virtio_fs_reset(void *dev)
{
	struct virtio_fs *fs = dev;

	/* Waits for the request in flight: then guest memory is ours no more. */
	virtio_worker_reset(&fs->worker);
}

static const struct virtio_device_ops virtio_fs_ops = {
	.name = "virtio-fs",
	.device_id = VIRTIO_ID_FS,
	.nr_queues = VIRTIO_FS_NR_QUEUES,
	.queue_max_size = VIRTQ_MAX_SIZE,
	.config_size = sizeof(struct virtio_fs_config),
	.features = virtio_fs_features,
	.config_read = virtio_fs_config_read,
	.config_write = NULL,	/* read-only config */
	.activate = virtio_fs_activate,
	.reset = virtio_fs_reset,
};

/* ---- I/O thread ---- */

/* One chain = one FUSE request (readable part) and its reply (writable). */
static int64_t virtio_fs_serve_chain(void *dev, unsigned int q,
				     struct virtq_chain *c)
{
	struct virtio_fs *fs = dev;
	uint32_t len = fuse_server_handle(fs->server, virtq_chain_out(c), c->nr_out,
					  virtq_chain_in(c), c->nr_in);

	(void)q;
	fs->chains++;
	virtio_worker_charge(&fs->worker, len);
	return len;
}

static void virtio_fs_broken(void *dev, unsigned int q, int err)
{
	struct virtio_fs *fs = dev;

	fs->bad_chains++;
	if (fs->broken_logged)
		return;
	fs->broken_logged = true;
	log_error("%s: malformed queue %u (%s), device needs reset",
		  fs->worker.name, q, strerror(-err));
}

static const struct virtio_worker_ops virtio_fs_worker_ops = {
	.serve = virtio_fs_serve_chain,
	.broken = virtio_fs_broken,
};

/* ---- life cycle ---- */

static void virtio_fs_set_tag(struct virtio_fs *fs, const char *tag)
{
	memset(fs->config.tag, 0, sizeof(fs->config.tag));
	memcpy(fs->config.tag, tag, strnlen(tag, sizeof(fs->config.tag)));
	fs->config.num_request_queues = 1;
}

int virtio_fs_create(struct virtio_fs **out, const struct virtio_mmio_host *host,
		     const struct guest_mem *mem,
		     const struct virtio_mmio_window *win,
		     const struct virtio_fs_share *share, char *err,
		     size_t errlen)
{
	const struct virtio_worker_budget budget = {
		.chains = VIRTIO_FS_BUDGET, .bytes = VIRTIO_FS_BUDGET_BYTES,
	};
	struct fuse_server_config sc = { .root = share->path,
					 .readonly = share->readonly };
	struct virtio_fs *fs = calloc(1, sizeof(*fs));
	char name[16];
	int ret;

	if (!fs) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(fs->path, sizeof(fs->path), "%s", share->path);
	virtio_fs_set_tag(fs, share->tag);
	snprintf(name, sizeof(name), "virtio-fs%u", win->index);
	ret = virtio_worker_init(&fs->worker, name, &virtio_fs_worker_ops, fs,
				 budget);
	if (ret) {
		snprintf(err, errlen, "-share %s: event loop: %s", share->path,
			 strerror(-ret));
		free(fs);
		return ret;
	}
	ret = fuse_server_create(&sc, &fs->server);
	if (ret) {
		snprintf(err, errlen, "-share %s: %s", share->path,
			 ret == -ENOSYS ? "the host kernel lacks openat2 (Linux 5.6+)" :
			 strerror(-ret));
		goto fail_worker;
	}
	ret = virtio_mmio_create(&fs->mmio, host, mem, win, &virtio_fs_ops, fs);
	if (ret) {
		snprintf(err, errlen, "-share %s: cannot create virtio-mmio device %u: %s",
			 share->path, win->index, strerror(-ret));
		goto fail_server;
	}
	ret = virtio_worker_attach(&fs->worker, virtio_mmio_transport(fs->mmio),
				   VIRTIO_FS_NR_QUEUES);
	if (ret) {
		snprintf(err, errlen, "-share %s: event loop: %s", share->path,
			 strerror(-ret));
		goto fail_mmio;
	}
	*out = fs;
	return 0;
fail_mmio:
	virtio_mmio_destroy(fs->mmio);
fail_server:
	fuse_server_destroy(fs->server);
fail_worker:
	virtio_worker_destroy(&fs->worker);
	free(fs);
	return ret;
}

int virtio_fs_start(struct virtio_fs *fs, const struct io_thread_hook *hook)
{
	return virtio_worker_start(&fs->worker, hook);
}

void virtio_fs_quiesce(struct virtio_fs *fs)
{
	virtio_worker_quiesce(&fs->worker);
}

void virtio_fs_resume(struct virtio_fs *fs)
{
	virtio_worker_resume(&fs->worker);
}

void virtio_fs_stop(struct virtio_fs *fs)
{
	if (fs)
		virtio_worker_stop(&fs->worker);
}

void virtio_fs_destroy(struct virtio_fs *fs)
{
	if (!fs)
		return;
	virtio_worker_stop(&fs->worker);
	virtio_mmio_destroy(fs->mmio);	/* resets the device */
	fuse_server_destroy(fs->server);
	virtio_worker_destroy(&fs->worker);
	free(fs);
}

void virtio_fs_print_stats(const struct virtio_fs *fs, FILE *f)
{
	struct fuse_server_stats st;

	fuse_server_get_stats(fs->server, &st);
	fprintf(f, "minivmm: %s (%s): %" PRIu64 " requests, %" PRIu64
		" errors, %u inodes and %u open files held, %" PRIu64
		" malformed chains\n", fs->worker.name, fs->path, st.requests, st.errors,
		st.inodes, st.handles, fs->bad_chains);
}
