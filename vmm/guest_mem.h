/* SPDX-License-Identifier: MIT */
/*
 * Guest physical memory and the one checked accessor to it.
 *
 * Every access the VMM makes to guest memory goes through guest_mem_ptr():
 * the guest controls the addresses and lengths, so the range check lives in
 * one place, is overflow-safe and returns NULL instead of trusting anything.
 */
#ifndef MINIVMM_GUEST_MEM_H
#define MINIVMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 4

struct guest_mem_region {
	uint64_t gpa;   /* guest physical start */
	uint64_t size;  /* bytes */
	uint8_t *host;  /* host virtual address of gpa */
};

struct guest_mem {
	struct guest_mem_region region[GUEST_MEM_MAX_REGIONS];
	unsigned int nr_regions;
	uint64_t ram_size; /* total bytes of RAM over all regions */
};

/*
 * Host pointer to [gpa, gpa + len) if the whole range lies inside one RAM
 * region, else NULL.  len may be 0 (a pointer to gpa, which must then be
 * inside a region or at its very end).
 */
static inline void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa,
				  uint64_t len)
{
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->region[i];

		if (gpa < r->gpa)
			continue;
		uint64_t off = gpa - r->gpa;

		if (off > r->size || len > r->size - off)
			continue;
		return r->host + off;
	}
	return NULL;
}

/* Copy helpers on top of guest_mem_ptr(); false when the range is not RAM. */
static inline bool guest_mem_read(const struct guest_mem *mem, uint64_t gpa,
				  void *dst, uint64_t len)
{
	const void *src = guest_mem_ptr(mem, gpa, len);

	if (!src)
		return false;
	__builtin_memcpy(dst, src, len);
	return true;
}

static inline bool guest_mem_write(const struct guest_mem *mem, uint64_t gpa,
				   const void *src, uint64_t len)
{
	void *dst = guest_mem_ptr(mem, gpa, len);

	if (!dst)
		return false;
	__builtin_memcpy(dst, src, len);
	return true;
}

#endif
