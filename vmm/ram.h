/* SPDX-License-Identifier: MIT */
/*
 * The host mapping behind guest RAM: anonymous memory (transparent huge
 * pages unless -mem-thp off, KSM with -mem-merge on) or a file on a
 * hugetlbfs mount (-mem-path), optionally faulted in up front
 * (-mem-prealloc).  Everything is checked before the guest starts.
 */
#ifndef MINIVMM_RAM_H
#define MINIVMM_RAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/config.h"

/* Guest RAM's anonymous mapping starts on a multiple of this. */
#define RAM_HUGE_PAGE	(2ull << 20)

/*
 * Map bytes of guest RAM as cfg asks.  Returns the mapping (released with
 * munmap), or NULL with one line for the user in err.  Anonymous RAM
 * starts on a RAM_HUGE_PAGE boundary, and transparent huge pages (unless
 * cfg->mem_thp_off) are asked for above its first RAM_HUGE_PAGE and
 * refused below.
 */
uint8_t *ram_map(const struct config *cfg, uint64_t bytes, char *err,
		 size_t errlen);

/*
 * Refuse transparent huge pages for [off, off + len) of an anonymous
 * mapping of bytes from ram_map(), widened to whole RAM_HUGE_PAGEs: for
 * something small the guest will not fill, so that its first write is
 * not a 2 MiB clear.  A hint: nothing happens where it cannot be given.
 */
void ram_refuse_huge_pages(uint8_t *host, uint64_t bytes, uint64_t off,
			   uint64_t len);

/*
 * -restore: bytes of guest RAM mapped copy-on-write (MAP_PRIVATE) from fd
 * at offset (page-aligned), so pages are read from the snapshot only when
 * the guest touches them and the file never changes.  NULL with one line
 * in err.
 */
uint8_t *ram_map_file(int fd, uint64_t offset, uint64_t bytes, char *err,
		      size_t errlen);

/*
 * Guest RAM pages that read as zeros without being read, for a save that
 * must not read (and fault in) every page of a large, mostly untouched
 * RAM: /proc/self/pagemap says the page was never faulted in (neither
 * present nor swapped out), so a private anonymous mapping reads it as
 * zeros, and a mapping from a snapshot (ram_map_file) as the file, which
 * is zeros where the file has a hole (SEEK_DATA).  Not for hugetlbfs
 * (-mem-path): a shared file mapping's page may exist without our page
 * table saying so.  Anything unknown counts as touched.
 */
#define RAM_SCAN_PAGE	4096u
#define RAM_SCAN_BATCH	512u	/* pagemap entries read at once (2 MiB of RAM) */

struct ram_scan {
	int pagemap_fd;		/* -1: every page counts as touched */
	const uint8_t *host;
	int file_fd;		/* the snapshot behind a restored mapping, or -1 */
	uint64_t file_offset;
	uint64_t batch_first;	/* page index of entry[0] */
	unsigned int batch_len;
	uint64_t entry[RAM_SCAN_BATCH];
	/* RAM offsets of the file's next data extent, once looked up */
	bool extent_known;
	uint64_t data_start, data_end;
};

/* /proc/self/pagemap, opened while /proc is reachable; -1 if it cannot be. */
int ram_pagemap_open(void);
void ram_scan_init(struct ram_scan *s, int pagemap_fd, const uint8_t *host,
		   int file_fd, uint64_t file_offset);
/*
 * True when the RAM page at byte offset off (a multiple of RAM_SCAN_PAGE,
 * ascending from one call to the next) certainly reads as zeros.
 */
bool ram_scan_untouched(struct ram_scan *s, uint64_t off);

#endif
