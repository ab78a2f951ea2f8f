/* SPDX-License-Identifier: MIT */
/*
 * The qcow2 back-end of devices/disk_image.h: versions 2 and 3 as
 * qemu-img writes them (docs/interop/qcow2.txt in QEMU's tree), cluster
 * sizes 512 B to 2 MiB, zero clusters, deflate-compressed clusters
 * (devices/inflate.c), a raw or qcow2 backing image.
 *
 * Every pointer read from the file is checked (alignment, inside the
 * file) before use; a bad one is an I/O error for the request, and a bad
 * header refuses the image with one line naming the problem.  Features
 * minivmm does not implement (encryption, external data files, extended
 * L2 entries, zstd, bitmaps) are refused by name.
 */
#ifndef MINIVMM_QCOW2_H
#define MINIVMM_QCOW2_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/disk.h"
#include "devices/disk_image.h"

#define QCOW2_MAGIC		0x514649fbu	/* "QFI\xfb" */

/* True when buf (at least 4 bytes) starts with the qcow2 magic. */
bool qcow2_probe(const uint8_t *buf, uint64_t len);

/*
 * Open the qcow2 image in *file (moved into the image on success, closed
 * by the caller on failure), opening its backing chain through chain.
 * cfg gives the cache mode and readonly.  0 or -errno with err set.
 */
int qcow2_open(struct disk *file, const struct drive_config *cfg,
	       struct disk_image_chain *chain, struct disk_image **out,
	       char *err, size_t errlen);

/*
 * Write an empty v3 overlay of size bytes over backing (an absolute path
 * or one relative to the overlay's directory; backing_fmt "raw", "qcow2"
 * or "" to probe) into the empty file fd.  0 or -errno.
 */
int qcow2_format_overlay(int fd, uint64_t size, const char *backing,
			 const char *backing_fmt);

#endif
