/* SPDX-License-Identifier: MIT */
/*
 * The host mapping behind guest RAM: anonymous memory (transparent huge
 * pages unless -mem-thp off, KSM with -mem-merge on) or a file on a
 * hugetlbfs mount (-mem-path), optionally faulted in up front
 * (-mem-prealloc).  Everything is checked before the guest starts.
 */
#ifndef MINIVMM_RAM_H
#define MINIVMM_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/config.h"

/*
 * Map bytes of guest RAM as cfg asks.  Returns the mapping (released with
 * munmap), or NULL with one line for the user in err.
 */
uint8_t *ram_map(const struct config *cfg, uint64_t bytes, char *err,
		 size_t errlen);

/*
 * -restore: bytes of guest RAM mapped copy-on-write (MAP_PRIVATE) from fd
 * at offset (page-aligned), so pages are read from the snapshot only when
 * the guest touches them and the file never changes.  NULL with one line
 * in err.
 */
uint8_t *ram_map_file(int fd, uint64_t offset, uint64_t bytes, char *err,
		      size_t errlen);

#endif
