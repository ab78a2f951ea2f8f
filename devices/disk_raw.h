/* SPDX-License-Identifier: MIT */
/*
 * The raw back-end of devices/disk_image.h: the guest's bytes are the
 * file's bytes (devices/disk.c does the I/O).
 */
#ifndef MINIVMM_DISK_RAW_H
#define MINIVMM_DISK_RAW_H

#include "devices/disk.h"
#include "devices/disk_image.h"

/* Take over an opened file (*file is moved, not copied). 0 or -ENOMEM. */
int disk_raw_wrap(struct disk *file, struct disk_image **out);

#endif
