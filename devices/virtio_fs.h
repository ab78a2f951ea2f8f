/* SPDX-License-Identifier: MIT */
/*
 * virtio-fs device (virtio 1.x section 5.11, device ID 26): one shared
 * host directory, served by devices/fuse_server.c on the device's own I/O
 * thread.  Queue 0 is the high-priority queue (FORGET, INTERRUPT), queue 1
 * the one request queue; config space is struct virtio_fs_config
 * (<linux/virtio_fs.h>) with the tag the guest mounts by
 * (mount -t virtiofs TAG /mnt).  No DAX window, no notification queue.
 *
 * The I/O thread is the only thread that opens files after set-up, so it
 * gets its own seccomp class (vmm/ installs it through the start hook).
 */
#ifndef MINIVMM_VIRTIO_FS_H
#define MINIVMM_VIRTIO_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "devices/event_loop.h"	/* struct io_thread_hook */
#include "devices/virtio_mmio.h"

struct virtio_fs;

/* Longest tag: the config field holds 36 bytes, not NUL-terminated. */
#define VIRTIO_FS_TAG_MAX	36

/* One -share PATH,tag=TAG[,readonly=on|off]. */
struct virtio_fs_share {
	const char *path;
	const char *tag;
	bool readonly;
};

/*
 * Open the share (devices/fuse_server.h) and create the virtio-mmio
 * transport in window win through host.  Returns 0, or -errno with one line for
 * the user in err.
 */
int virtio_fs_create(struct virtio_fs **out, const struct virtio_mmio_host *host,
		     const struct guest_mem *mem,
		     const struct virtio_mmio_window *win,
		     const struct virtio_fs_share *share, char *err,
		     size_t errlen);

/*
 * Start the I/O thread; hook (may be NULL) runs first on it (vmm/ installs
 * the seccomp filter there) and its failure stops the thread and is
 * returned here.
 */
int virtio_fs_start(struct virtio_fs *fs, const struct io_thread_hook *hook);

/* Park the I/O thread between two requests / let it go on (pause). */
void virtio_fs_quiesce(struct virtio_fs *fs);
void virtio_fs_resume(struct virtio_fs *fs);

/* Stop the I/O thread (after the vCPUs have stopped); idempotent. */
void virtio_fs_stop(struct virtio_fs *fs);

/* Stop, reset the device, close the share and free.  NULL is fine. */
void virtio_fs_destroy(struct virtio_fs *fs);

/* -stats counters, one line on f. */
void virtio_fs_print_stats(const struct virtio_fs *fs, FILE *f);

#endif
