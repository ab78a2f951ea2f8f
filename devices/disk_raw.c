// SPDX-License-Identifier: MIT
/* Raw image back-end: devices/disk.c behind struct disk_image_ops. */
#include "devices/disk_raw.h"

#include <errno.h>
#include <stdlib.h>

#include "vmm/log.h"

struct disk_raw {
	struct disk_image img;
	struct disk file;
};

static struct disk *disk_raw_file(struct disk_image *img)
{
	return &((struct disk_raw *)img)->file;
}

static int disk_raw_readv(struct disk_image *img, const struct iovec *iov,
			  int cnt, uint64_t off)
{
	return disk_read(disk_raw_file(img), iov, cnt, off);
}

static int disk_raw_writev(struct disk_image *img, const struct iovec *iov,
			   int cnt, uint64_t off)
{
	return disk_write(disk_raw_file(img), iov, cnt, off);
}

static bool disk_raw_known_zero(struct disk_image *img, uint64_t off,
				uint64_t len)
{
	return disk_known_zero(disk_raw_file(img), off, len);
}

static int disk_raw_flush(struct disk_image *img)
{
	return disk_flush(disk_raw_file(img));
}

static int disk_raw_discard(struct disk_image *img, uint64_t off,
			    uint64_t len)
{
	return disk_discard(disk_raw_file(img), off, len);
}

static int disk_raw_write_zeroes(struct disk_image *img, uint64_t off,
				 uint64_t len, bool unmap)
{
	return disk_write_zeroes(disk_raw_file(img), off, len, unmap);
}

static void disk_raw_close(struct disk_image *img)
{
	disk_close(disk_raw_file(img));
	free(img);
}

static const struct disk_image_ops disk_raw_ops = {
	.readv = disk_raw_readv,
	.writev = disk_raw_writev,
	.known_zero = disk_raw_known_zero,
	.flush = disk_raw_flush,
	.discard = disk_raw_discard,
	.write_zeroes = disk_raw_write_zeroes,
	.close = disk_raw_close,
};

int disk_raw_wrap(struct disk *file, struct disk_image **out)
{
	struct disk_raw *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	if (file->file_bytes % DISK_SECTOR_SIZE)
		log_warn("%s: size %llu is not a multiple of 512, the guest "
			 "sees the first %llu bytes", file->path,
			 (unsigned long long)file->file_bytes,
			 (unsigned long long)file->size);
	r->file = *file;
	r->img.ops = &disk_raw_ops;
	r->img.format = "raw";
	r->img.path = file->path;
	r->img.size = file->size;
	r->img.block_size = file->block_size;
	r->img.readonly = file->readonly;
	r->img.discard_supported = true;
	*out = &r->img;
	return 0;
}
