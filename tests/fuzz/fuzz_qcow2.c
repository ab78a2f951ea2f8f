// SPDX-License-Identifier: MIT
/*
 * The qcow2 back-end on a fuzzed image file: header, extensions, backing
 * name and format, L1/L2 tables, compressed clusters.  The image is
 * opened read-only as qcow2 (a backing name may point at back.raw or
 * back.qcow2 beside it, or at itself), then read at its start, middle
 * and end; inputs of odd length are opened read-write too and written
 * (a partial and a whole cluster), discarded and zeroed, which walks the
 * refcount table and blocks.  Oracles: ASan/UBSan (no access outside buffers, no leak) and
 * the back-end returns 0 or -errno, never anything else.
 */
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/disk_image.h"

#define TEST_ERR_MAX 256

#define FUZZ_READ_BYTES 4096

static char fuzz_dir[64];
static char fuzz_img[96];

static void fuzz_qcow2_setup(void)
{
	char path[128];
	int fd;

	strcpy(fuzz_dir, "/tmp/minivmm-fuzz-qcow2-XXXXXX");
	if (!mkdtemp(fuzz_dir))
		abort();
	snprintf(fuzz_img, sizeof(fuzz_img), "%s/img.qcow2", fuzz_dir);
	snprintf(path, sizeof(path), "%s/back.raw", fuzz_dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 65536) < 0)
		abort();
	close(fd);
}

static void fuzz_write_at(struct disk_image *img, uint64_t off)
{
	static uint8_t buf[FUZZ_READ_BYTES * 16];
	struct iovec iov = { buf, sizeof(buf) };
	int ret;

	if (img->size < sizeof(buf))
		return;
	if (off > img->size - sizeof(buf))
		off = img->size - sizeof(buf);
	off &= ~511ull;
	memset(buf, 0xa5, sizeof(buf));
	ret = disk_image_writev(img, &iov, 1, off);
	assert(ret == 0 || (ret < 0 && ret > -4096));
	iov.iov_len = 1536;
	ret = disk_image_writev(img, &iov, 1, off + 512);
	assert(ret == 0 || (ret < 0 && ret > -4096));
	ret = disk_image_discard(img, off, sizeof(buf));
	assert(ret == 0 || (ret < 0 && ret > -4096));
	ret = disk_image_write_zeroes(img, off, sizeof(buf), true);
	assert(ret == 0 || (ret < 0 && ret > -4096));
}

static void fuzz_read_at(struct disk_image *img, uint64_t off)
{
	static uint8_t buf[FUZZ_READ_BYTES];
	struct iovec iov[2] = { { buf, 1000 }, { buf + 1000, 3096 } };
	int ret;

	if (img->size < FUZZ_READ_BYTES)
		return;
	if (off > img->size - FUZZ_READ_BYTES)
		off = img->size - FUZZ_READ_BYTES;
	ret = disk_image_readv(img, iov, 2, off & ~511ull);
	assert(ret == 0 || (ret < 0 && ret > -4096));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drive_config cfg = { .format = DRIVE_FORMAT_QCOW2,
				    .readonly = true,
				    .cache = DRIVE_CACHE_UNSAFE };
	struct disk_image *img = NULL;
	char err[TEST_ERR_MAX];
	int fd;

	if (!fuzz_dir[0])
		fuzz_qcow2_setup();
	fd = open(fuzz_img, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
	cfg.path = fuzz_img;
	cfg.readonly = !(size & 1);
	if (disk_image_open(&cfg, &img, err, sizeof(err)) == 0) {
		if (!cfg.readonly) {
			fuzz_write_at(img, 0);
			fuzz_write_at(img, img->size / 3);
		}
		for (uint64_t i = 0; i < 8; i++)
			fuzz_read_at(img, i * FUZZ_READ_BYTES);
		fuzz_read_at(img, img->size / 2);
		fuzz_read_at(img, img->size);
		disk_image_close(img);
	} else {
		assert(err[0] && !strchr(err, '\n'));
	}
	return 0;
}
