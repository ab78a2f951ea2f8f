// SPDX-License-Identifier: MIT
/*
 * Opening a disk image: the format probing rule, the backing chain's
 * depth and loop limits, then the back-end (raw or qcow2).
 * See devices/disk_image.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "devices/disk_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/disk.h"
#include "devices/disk_raw.h"
#include "devices/qcow2.h"
#include "vmm/log.h"

/*
 * A backing file named inside an image is checked before open(): a FIFO
 * or a device node chosen by whoever wrote the image must not block or
 * be read.  Block devices stay allowed (golden images on LVM).
 */
static int disk_image_check_backing(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "backing file %.200s: %s", path,
			 strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		snprintf(err, errlen, "backing file %.200s: not a "
			 "regular file or block device", path);
		return -EINVAL;
	}
	return 0;
}

static int disk_image_enter_chain(struct disk_image_chain *chain,
				  const struct disk *file,
				  char *err, size_t errlen)
{
	struct stat st;

	if (fstat(file->fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", file->path,
			 strerror(errno));
		return -errno;
	}
	for (unsigned int i = 0; i < chain->depth; i++) {
		if (chain->dev[i] == st.st_dev && chain->ino[i] == st.st_ino) {
			snprintf(err, errlen, "%.200s: backing chain "
				 "loop (the file is its own backing file)",
				 file->path);
			return -ELOOP;
		}
	}
	if (chain->depth >= DISK_IMAGE_MAX_DEPTH) {
		snprintf(err, errlen, "%.200s: backing chain deeper "
			 "than %d images", file->path, DISK_IMAGE_MAX_DEPTH);
		return -ELOOP;
	}
	chain->dev[chain->depth] = st.st_dev;
	chain->ino[chain->depth] = st.st_ino;
	chain->depth++;
	return 0;
}

/* Does the file start with the qcow2 magic? */
static int disk_image_is_qcow2(struct disk *file, bool *yes)
{
	uint8_t magic[4] = { 0 };
	ssize_t r = pread(file->fd_buffered >= 0 ? file->fd_buffered : file->fd,
			  magic, sizeof(magic), 0);

	if (r < 0)
		return -errno;
	*yes = qcow2_probe(magic, (uint64_t)r);
	return 0;
}

int disk_image_open_in_chain(const struct drive_config *cfg,
			     struct disk_image_chain *chain,
			     struct disk_image **out, char *err, size_t errlen)
{
	struct disk file;
	bool qcow2 = false;
	int ret;

	if (chain->depth && cfg->path) {
		ret = disk_image_check_backing(cfg->path, err, errlen);
		if (ret)
			return ret;
	}
	ret = disk_open(&file, cfg, err, errlen);
	if (ret)
		return ret;
	ret = disk_image_enter_chain(chain, &file, err, errlen);
	if (!ret && cfg->format != DRIVE_FORMAT_RAW) {
		ret = disk_image_is_qcow2(&file, &qcow2);
		if (ret)
			snprintf(err, errlen, "%s: %s", cfg->path,
				 strerror(-ret));
	}
	if (ret)
		goto fail;
	if (cfg->format == DRIVE_FORMAT_QCOW2 && !qcow2) {
		snprintf(err, errlen, "%s: format=qcow2 but the file "
			 "has no qcow2 header", cfg->path);
		ret = -EINVAL;
		goto fail;
	}
	if (qcow2 && cfg->format == DRIVE_FORMAT_PROBE && chain->depth == 1)
		log_warn("%s: probed as qcow2; say format=qcow2 (or "
			 "format=raw) so a guest cannot choose", cfg->path);
	if (qcow2)
		ret = qcow2_open(&file, cfg, chain, out, err, errlen);
	else
		ret = disk_raw_wrap(&file, out);
	if (ret == -ENOMEM && !*err)
		snprintf(err, errlen, "%s: out of memory", cfg->path);
	if (ret)
		goto fail;
	return 0;
fail:
	disk_close(&file);
	return ret;
}

/*
 * snapshot=on: a nameless qcow2 overlay whose backing file is the image
 * (by absolute path, opened read-only and locked for reading), so the
 * guest's writes vanish with the process, however it ends.
 */
static int disk_image_open_snapshot(const struct drive_config *cfg,
				    struct disk_image **out,
				    char *err, size_t errlen)
{
	struct drive_config base_cfg = *cfg, ov_cfg = *cfg;
	struct disk_image_chain chain = { 0 };
	struct disk_image *base;
	const char *fmt = "";
	uint64_t size;
	struct disk file;
	struct stat st;
	char *real;
	int ret;

	/* The image itself first: errors about it come out as usual. */
	base_cfg.snapshot = false;
	base_cfg.readonly = true;
	ret = disk_image_open_in_chain(&base_cfg, &chain, &base, err, errlen);
	if (ret)
		return ret;
	if (cfg->format != DRIVE_FORMAT_PROBE)
		fmt = base->format;
	size = base->size;
	disk_image_close(base);
	real = realpath(cfg->path, NULL);
	if (!real) {
		snprintf(err, errlen, "%s: %s", cfg->path,
			 strerror(errno));
		return -errno;
	}
	ret = disk_open_temp(&file, err, errlen);
	if (ret) {
		free(real);
		return ret;
	}
	ret = qcow2_format_overlay(file.fd, size, real, fmt);
	free(real);
	if (!ret && fstat(file.fd, &st) < 0)
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "%s: cannot write the snapshot "
			 "overlay: %s", cfg->path, strerror(-ret));
		disk_close(&file);
		return ret;
	}
	file.file_bytes = (uint64_t)st.st_size;
	file.size = file.file_bytes;
	ov_cfg.readonly = false;
	ov_cfg.cache = DRIVE_CACHE_UNSAFE;	/* nothing here outlives us */
	ov_cfg.format = DRIVE_FORMAT_QCOW2;
	memset(&chain, 0, sizeof(chain));
	ret = qcow2_open(&file, &ov_cfg, &chain, out, err, errlen);
	if (ret)
		disk_close(&file);
	return ret;
}

int disk_image_open(const struct drive_config *cfg, struct disk_image **out,
		    char *err, size_t errlen)
{
	struct disk_image_chain chain = { 0 };

	err[0] = 0;
	if (cfg->snapshot && !cfg->readonly)
		return disk_image_open_snapshot(cfg, out, err, errlen);
	return disk_image_open_in_chain(cfg, &chain, out, err, errlen);
}
