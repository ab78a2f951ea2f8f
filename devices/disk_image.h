/* SPDX-License-Identifier: MIT */
/*
 * Disk image back-ends behind one small ops table, so the virtio-blk
 * device never knows an image's format (kvmtool's disk/ layout):
 *   raw   devices/disk_raw.c on devices/disk.c (a file or block device)
 *   qcow2 devices/qcow2.c, itself on a raw file, with an optional backing
 *         image (raw or qcow2, opened read-only) below it.
 *
 * disk_image_open() applies the probing rule: format=raw is raw whatever
 * the bytes say; format=qcow2 must be qcow2; no format= and the qcow2
 * magic opens it as qcow2 with a one-line warning.  A guest that writes
 * a qcow2 header into a raw disk must only be able to do that when the
 * user left the format to probing.
 *
 * An image is used by one thread at a time (the device's I/O thread).
 */
#ifndef MINIVMM_DISK_IMAGE_H
#define MINIVMM_DISK_IMAGE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>

#include "devices/disk.h"	/* struct drive_config */

/* Backing chains deeper than this are refused (and loops end here). */
#define DISK_IMAGE_MAX_DEPTH 16

struct disk_image;

struct disk_image_ops {
	/* Transfer exactly the iovec's bytes at guest byte offset off; the
	 * caller keeps [off, off + bytes) within img->size. 0 or -errno. */
	int (*readv)(struct disk_image *img, const struct iovec *iov, int cnt,
		     uint64_t off);
	int (*writev)(struct disk_image *img, const struct iovec *iov, int cnt,
		      uint64_t off);
	/* Make every completed write durable (as the cache mode promises). */
	int (*flush)(struct disk_image *img);
	/* Drop [off, off + len); a hint, may do nothing. */
	int (*discard)(struct disk_image *img, uint64_t off, uint64_t len);
	/* Make [off, off + len) read as zeroes; unmap: may deallocate. */
	int (*write_zeroes)(struct disk_image *img, uint64_t off, uint64_t len,
			    bool unmap);
	/* Write what the back-end keeps only in memory (qcow2's deferred
	 * L2 entries) into the file, so that the file alone holds every
	 * completed write (not durably: that is flush).  May be NULL. */
	int (*settle)(struct disk_image *img);
	/* True when [off, off + len) is known to read as zeroes (a hole of
	 * a sparse file); false when not or not known.  May be NULL. */
	bool (*known_zero)(struct disk_image *img, uint64_t off, uint64_t len);
	/* Flush metadata, close every file (dropping locks), free img. */
	void (*close)(struct disk_image *img);
};

struct disk_image {
	const struct disk_image_ops *ops;
	const char *format;		/* "raw", "qcow2" */
	const char *path;		/* for messages */
	uint64_t size;			/* guest-visible bytes, multiple of 512 */
	uint32_t block_size;		/* logical block size */
	bool readonly;
	bool discard_supported;		/* discard can free space */
};

/* Files already in a chain: depth and identities, to refuse loops. */
struct disk_image_chain {
	unsigned int depth;
	dev_t dev[DISK_IMAGE_MAX_DEPTH];
	ino_t ino[DISK_IMAGE_MAX_DEPTH];
};

/*
 * Open the image of cfg (file, format, readonly, cache) with its whole
 * backing chain.  Returns 0 or -errno with one line for the user in err.
 */
int disk_image_open(const struct drive_config *cfg, struct disk_image **out,
		    char *err, size_t errlen);

/* Same, as a link of a chain (qcow2 opening its backing file). */
int disk_image_open_in_chain(const struct drive_config *cfg,
			     struct disk_image_chain *chain,
			     struct disk_image **out, char *err, size_t errlen);

static inline int disk_image_readv(struct disk_image *img,
				   const struct iovec *iov, int cnt,
				   uint64_t off)
{
	return img->ops->readv(img, iov, cnt, off);
}

static inline int disk_image_writev(struct disk_image *img,
				    const struct iovec *iov, int cnt,
				    uint64_t off)
{
	if (img->readonly)
		return -EROFS;
	return img->ops->writev(img, iov, cnt, off);
}

static inline int disk_image_flush(struct disk_image *img)
{
	return img->ops->flush(img);
}

static inline int disk_image_discard(struct disk_image *img, uint64_t off,
				     uint64_t len)
{
	if (img->readonly)
		return -EROFS;
	return img->ops->discard(img, off, len);
}

static inline int disk_image_write_zeroes(struct disk_image *img, uint64_t off,
					  uint64_t len, bool unmap)
{
	if (img->readonly)
		return -EROFS;
	return img->ops->write_zeroes(img, off, len, unmap);
}

static inline int disk_image_settle(struct disk_image *img)
{
	return img->ops->settle ? img->ops->settle(img) : 0;
}

static inline bool disk_image_known_zero(struct disk_image *img,
					 uint64_t off, uint64_t len)
{
	return img->ops->known_zero && img->ops->known_zero(img, off, len);
}

/* NULL is fine. */
static inline void disk_image_close(struct disk_image *img)
{
	if (img)
		img->ops->close(img);
}

#endif
