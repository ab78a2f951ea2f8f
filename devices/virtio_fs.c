// SPDX-License-Identifier: MIT
/*
 * virtio-fs: config space, the two queues, and the I/O thread that hands
 * each descriptor chain to the FUSE server.  The transport is reached only
 * through struct virtio_transport, the files only through fuse_server.
 */
#include "devices/virtio_fs.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_fs.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/fuse_server.h"
#include "vmm/log.h"

#define VIRTIO_FS_QUEUE_HIPRIO	0
#define VIRTIO_FS_QUEUE_REQUEST	1
#define VIRTIO_FS_NR_QUEUES	2

struct virtio_fs {
	char name[24];			/* "virtio-fs<slot>", thread name */
	char path[256];			/* for messages */
	struct virtio_fs_config config;
	struct fuse_server *server;

	struct virtio_mmio *mmio;
	struct virtio_transport *tp;
	int kick_fd[VIRTIO_FS_NR_QUEUES];
	int stop_fd;			/* eventfd: ends the I/O thread */

	pthread_t thread;
	bool running;
	struct io_thread_hook hook;	/* fn NULL: nothing to run first */
	int start_result;
	int start_fd;			/* eventfd: the thread's start result */

	/*
	 * Taken by the I/O thread around queue work and by activate/reset
	 * (vCPU thread), so a reset waits for the request in flight.
	 */
	pthread_mutex_t lock;
	bool active;
	struct virtq *vq[VIRTIO_FS_NR_QUEUES];
	bool broken_logged;

	struct virtq_chain chain;	/* I/O thread scratch */
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
	uint64_t one = 1;

	(void)features;
	if (nr < VIRTIO_FS_NR_QUEUES)
		return -EINVAL;
	pthread_mutex_lock(&fs->lock);
	fs->vq[0] = &vqs[0];
	fs->vq[1] = &vqs[1];
	fs->active = true;
	pthread_mutex_unlock(&fs->lock);
	/* Serve anything queued before DRIVER_OK on the I/O thread. */
	for (unsigned int q = 0; q < VIRTIO_FS_NR_QUEUES; q++)
		if (write(fs->kick_fd[q], &one, sizeof(one)) < 0)
			break;
	return 0;
}

static void virtio_fs_reset(void *dev)
{
	struct virtio_fs *fs = dev;

	/* Waits for the request in flight: then guest memory is ours no more. */
	pthread_mutex_lock(&fs->lock);
	fs->active = false;
	fs->vq[0] = fs->vq[1] = NULL;
	pthread_mutex_unlock(&fs->lock);
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
static void virtio_fs_serve_chain(struct virtio_fs *fs, struct virtq *vq,
				  struct virtq_chain *c)
{
	uint32_t len = fuse_server_handle(fs->server, virtq_chain_out(c), c->nr_out,
					  virtq_chain_in(c), c->nr_in);

	fs->chains++;
	virtq_push(vq, c->head, len);
}

/* Drain queue q; one interrupt for the batch.  Under fs->lock. */
static void virtio_fs_process_queue(struct virtio_fs *fs, unsigned int q)
{
	struct virtq *vq = fs->vq[q];
	bool pushed = false;
	int r;

	for (unsigned int round = 0;; round++) {
		unsigned int n = 0;

		virtq_disable_notify(vq);
		while ((r = virtq_pop(vq, &fs->chain)) > 0) {
			virtio_fs_serve_chain(fs, vq, &fs->chain);
			pushed = true;
			n++;
		}
		if (r < 0) {
			fs->bad_chains++;
			if (!fs->broken_logged) {
				fs->broken_logged = true;
				fprintf(stderr, "minivmm: %s: malformed queue %u (%s), "
					"device needs reset\n", fs->name, q,
					strerror(-r));
			}
			virtio_needs_reset(fs->tp);
			break;
		}
		/* "More" that yields nothing: the guest moves the index under
		 * us; wait for its next kick. */
		if (!virtq_enable_notify(vq) || (round && !n))
			break;
	}
	if (pushed && virtq_need_interrupt(vq))
		virtio_signal_used(fs->tp);
}

static void virtio_fs_kick(struct virtio_fs *fs, unsigned int q)
{
	uint64_t v;

	if (read(fs->kick_fd[q], &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&fs->lock);
	if (fs->active && fs->vq[q] && fs->vq[q]->ready)
		virtio_fs_process_queue(fs, q);
	pthread_mutex_unlock(&fs->lock);
}

static void *virtio_fs_thread(void *opaque)
{
	struct virtio_fs *fs = opaque;
	struct pollfd p[VIRTIO_FS_NR_QUEUES + 1];
	uint64_t one = 1;
	int ret = 0;

	if (fs->hook.fn) {
		char err[ERR_LINE_MAX];

		ret = fs->hook.fn(fs->hook.opaque, err, sizeof(err));
		if (ret)
			log_error("%s", err);
	}
	fs->start_result = ret;
	if (write(fs->start_fd, &one, sizeof(one)) < 0 || ret < 0)
		return NULL;
	for (unsigned int q = 0; q < VIRTIO_FS_NR_QUEUES; q++)
		p[q] = (struct pollfd){ .fd = fs->kick_fd[q], .events = POLLIN };
	p[VIRTIO_FS_NR_QUEUES] = (struct pollfd){ .fd = fs->stop_fd,
						  .events = POLLIN };
	for (;;) {
		if (poll(p, VIRTIO_FS_NR_QUEUES + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[VIRTIO_FS_NR_QUEUES].revents)
			break;
		for (unsigned int q = 0; q < VIRTIO_FS_NR_QUEUES; q++)
			if (p[q].revents & POLLIN)
				virtio_fs_kick(fs, q);
	}
	return NULL;
}

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
	struct fuse_server_config sc = { .root = share->path,
					 .readonly = share->readonly };
	struct virtio_fs *fs = calloc(1, sizeof(*fs));
	int ret;

	if (!fs) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(fs->name, sizeof(fs->name), "virtio-fs%u", win->index);
	snprintf(fs->path, sizeof(fs->path), "%s", share->path);
	virtio_fs_set_tag(fs, share->tag);
	pthread_mutex_init(&fs->lock, NULL);
	fs->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fs->start_fd = eventfd(0, EFD_CLOEXEC);
	if (fs->stop_fd < 0 || fs->start_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "-share %s: eventfd: %s", share->path,
			 strerror(-ret));
		goto fail;
	}
	ret = fuse_server_create(&sc, &fs->server);
	if (ret) {
		snprintf(err, errlen, "-share %s: %s", share->path,
			 ret == -ENOSYS ? "the host kernel lacks openat2 (Linux 5.6+)" :
			 strerror(-ret));
		goto fail;
	}
	ret = virtio_mmio_create(&fs->mmio, host, mem, win, &virtio_fs_ops, fs);
	if (ret) {
		snprintf(err, errlen, "-share %s: cannot create virtio-mmio device %u: %s",
			 share->path, win->index, strerror(-ret));
		goto fail;
	}
	fs->tp = virtio_mmio_transport(fs->mmio);
	for (unsigned int q = 0; q < VIRTIO_FS_NR_QUEUES; q++)
		fs->kick_fd[q] = virtio_kick_fd(fs->tp, q);
	*out = fs;
	return 0;
fail:
	fuse_server_destroy(fs->server);
	if (fs->stop_fd >= 0)
		close(fs->stop_fd);
	if (fs->start_fd >= 0)
		close(fs->start_fd);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
	return ret;
}

int virtio_fs_start(struct virtio_fs *fs, const struct io_thread_hook *hook)
{
	uint64_t v;
	int ret;

	fs->hook = hook ? *hook : (struct io_thread_hook){ .fn = NULL };
	ret = pthread_create(&fs->thread, NULL, virtio_fs_thread, fs);
	if (ret)
		return -ret;
	pthread_setname_np(fs->thread, fs->name);
	fs->running = true;
	if (read(fs->start_fd, &v, sizeof(v)) != sizeof(v) || fs->start_result < 0) {
		ret = fs->start_result < 0 ? fs->start_result : -EIO;
		virtio_fs_stop(fs);
		return ret;
	}
	return 0;
}

void virtio_fs_stop(struct virtio_fs *fs)
{
	uint64_t one = 1;

	if (!fs || !fs->running)
		return;
	if (write(fs->stop_fd, &one, sizeof(one)) < 0)
		return;
	pthread_join(fs->thread, NULL);
	fs->running = false;
}

void virtio_fs_destroy(struct virtio_fs *fs)
{
	if (!fs)
		return;
	virtio_fs_stop(fs);
	virtio_mmio_destroy(fs->mmio);	/* resets the device */
	fuse_server_destroy(fs->server);
	close(fs->stop_fd);
	close(fs->start_fd);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

void virtio_fs_print_stats(const struct virtio_fs *fs, FILE *f)
{
	struct fuse_server_stats st;

	fuse_server_get_stats(fs->server, &st);
	fprintf(f, "minivmm: %s (%s): %" PRIu64 " requests, %" PRIu64
		" errors, %u inodes and %u open files held, %" PRIu64
		" malformed chains\n", fs->name, fs->path, st.requests, st.errors,
		st.inodes, st.handles, fs->bad_chains);
}
