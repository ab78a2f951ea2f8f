/* SPDX-License-Identifier: MIT */
/*
 * The FUSE file server behind virtio-fs: one shared host directory served
 * to the guest's FUSE driver (<linux/fuse.h>), request by request, over
 * the iovecs of a descriptor chain.
 *
 * Confinement: the server never resolves a guest-supplied path on the
 * host.  It holds one O_PATH descriptor per inode the guest knows (the
 * nodeid names a slot of a bounded table); names are single components
 * resolved with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_SYMLINKS) against the parent's descriptor; files are opened
 * by reopening that O_PATH descriptor through /proc/self/fd (opened once at
 * creation, so -chroot keeps working), which cannot leave the inode.
 * Symlinks are handed to the guest as text and never followed here.
 * Only regular files and directories can be opened (a FIFO or a device
 * node in the share cannot block or reach the host), and a lookup that
 * crosses into a pseudo file system (procfs, sysfs, debugfs, ...) fails.
 *
 * Data moves without a bounce buffer: READ is one preadv() into the
 * reply's guest iovecs, WRITE one pwritev() from the request's.
 *
 * Threading: one server is driven by one thread (the device's I/O thread).
 */
#ifndef MINIVMM_FUSE_SERVER_H
#define MINIVMM_FUSE_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct fuse_server;

/* Defaults for the bounded tables (0 in the config picks them). */
#define FUSE_SERVER_MAX_INODES		65536
#define FUSE_SERVER_MAX_HANDLES		4096

/* Largest READ/WRITE payload offered to the guest (FUSE_INIT max_write). */
#define FUSE_SERVER_MAX_IO		(1u << 20)

struct fuse_server_config {
	const char *root;	/* host directory to share */
	bool readonly;		/* writes answer EROFS */
	uint32_t max_inodes;	/* inode table size, 0 = default */
	uint32_t max_handles;	/* open file table size, 0 = default */
};

struct fuse_server_stats {
	uint64_t requests;	/* requests handled */
	uint64_t errors;	/* of which answered with an error */
	uint32_t inodes;	/* inodes the guest holds now */
	uint32_t handles;	/* files/directories open now */
};

/*
 * Open the shared directory and /proc/self/fd.  Returns 0 or -errno
 * (-ENOTDIR, -ENOENT, -EACCES for the root; -ENOSYS without openat2;
 * -ENOMEM).
 */
int fuse_server_create(const struct fuse_server_config *cfg,
		       struct fuse_server **out);
void fuse_server_destroy(struct fuse_server *s);

/*
 * Handle one request: req[0, nr_req) holds it (struct fuse_in_header and
 * its arguments, possibly split anywhere), rep[0, nr_rep) receives the
 * reply.  Returns the number of reply bytes written, 0 for requests
 * without a reply (FORGET, BATCH_FORGET, INTERRUPT) or when the reply
 * buffer cannot even hold a struct fuse_out_header.  Any malformed request
 * is answered with an error; nothing the guest sends can make it fail.
 */
uint32_t fuse_server_handle(struct fuse_server *s,
			    const struct iovec *req, unsigned int nr_req,
			    const struct iovec *rep, unsigned int nr_rep);

void fuse_server_get_stats(const struct fuse_server *s,
			   struct fuse_server_stats *st);

#endif
