/* SPDX-License-Identifier: MIT */
/*
 * x86 guest-virtual to guest-physical translation by walking the guest's
 * page tables, for the debugger: no paging (physical = virtual), 32-bit
 * (4 KiB and 4 MiB pages), PAE, 4-level and 5-level long mode (4 KiB,
 * 2 MiB, 1 GiB pages).  Pure: page-table entries come through a read
 * callback (the stub passes the checked guest-memory accessor), so the
 * unit test walks fake tables.  No access-rights checks: a debugger may
 * read what the guest's kernel could.
 */
#ifndef MINIVMM_PAGE_WALK_H
#define MINIVMM_PAGE_WALK_H

#include <stdbool.h>
#include <stdint.h>

struct page_walk_regs {
	uint64_t cr0, cr3, cr4, efer;
};

/* Read `size` (4 or 8) bytes of guest-physical memory; false if not RAM. */
typedef bool (*page_walk_read_fn)(void *ctx, uint64_t gpa, unsigned int size,
				  uint64_t *value);

/*
 * Translate va.  On success (0) *gpa is the physical address and *left the
 * bytes from there to the end of its page (so a caller can split a range).
 * -EFAULT: not mapped, a table outside RAM, or a reserved bit set;
 * -EINVAL: va is not canonical (long mode) or above 4 GiB (32-bit modes).
 */
int page_walk(const struct page_walk_regs *r, uint64_t va, page_walk_read_fn read,
	      void *ctx, uint64_t *gpa, uint64_t *left);

#endif
