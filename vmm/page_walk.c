// SPDX-License-Identifier: MIT
#include "vmm/page_walk.h"

#include <errno.h>

#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LMA	(1ULL << 10)

#define PTE_P		1ULL
#define PTE_PS		(1ULL << 7)
/* Physical address bits of a 64-bit entry (52-bit physical space). */
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

static int page_walk_done(uint64_t base, uint64_t va, unsigned int page_shift,
			  uint64_t *gpa, uint64_t *left)
{
	uint64_t mask = (1ULL << page_shift) - 1;

	*gpa = (base & ~mask) + (va & mask);
	*left = (1ULL << page_shift) - (va & mask);
	return 0;
}

/* 64-bit entries: PAE (levels 3) and long mode (levels 4 or 5). */
static int page_walk_64(uint64_t table, uint64_t va, unsigned int levels,
			page_walk_read_fn read, void *ctx, uint64_t *gpa,
			uint64_t *left)
{
	for (unsigned int level = levels; level >= 1; level--) {
		/* PAE's top level has 4 entries indexed by bits 31:30. */
		unsigned int shift = 12 + 9 * (level - 1);
		uint64_t index = (va >> shift) & 0x1ff;
		uint64_t pte;

		if (!read(ctx, (table & PTE_ADDR_MASK) + index * 8, 8, &pte) ||
		    !(pte & PTE_P))
			return -EFAULT;
		/* Large pages: 1 GiB at level 3 (not PAE's top), 2 MiB at 2. */
		if (level == 1 || ((pte & PTE_PS) && (level == 2 ||
				   (level == 3 && levels > 3)))) {
			uint64_t base = pte & PTE_ADDR_MASK;

			if (level > 1) {
				uint64_t low = (1ULL << shift) - 1;

				/* bits 12..shift-1 hold the PAT bit (12), else 0 */
				if (base & low & ~0x1000ULL)
					return -EFAULT;
				base &= ~low;
			}
			return page_walk_done(base, va, shift, gpa, left);
		}
		if ((pte & PTE_PS) && level > 2)
			return -EFAULT;	/* PS in PML4/PML5 or PAE top: reserved */
		table = pte;
	}
	return -EFAULT;
}

static int page_walk_32(uint64_t cr3, uint64_t va, bool pse, page_walk_read_fn read,
			void *ctx, uint64_t *gpa, uint64_t *left)
{
	uint64_t pde, pte;

	if (!read(ctx, (cr3 & 0xfffff000ULL) + ((va >> 22) & 0x3ff) * 4, 4, &pde) ||
	    !(pde & PTE_P))
		return -EFAULT;
	if (pse && (pde & PTE_PS)) {
		/* 4 MiB page; bits 20:13 are physical bits 39:32 (PSE-36). */
		uint64_t base = (pde & 0xffc00000ULL) | ((pde >> 13) & 0xffULL) << 32;

		return page_walk_done(base, va, 22, gpa, left);
	}
	if (!read(ctx, (pde & 0xfffff000ULL) + ((va >> 12) & 0x3ff) * 4, 4, &pte) ||
	    !(pte & PTE_P))
		return -EFAULT;
	return page_walk_done(pte & 0xfffff000ULL, va, 12, gpa, left);
}

static bool canonical(uint64_t va, unsigned int bits)
{
	int64_t s = (int64_t)(va << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == va;
}

int page_walk(const struct page_walk_regs *r, uint64_t va, page_walk_read_fn read,
	      void *ctx, uint64_t *gpa, uint64_t *left)
{
	if (!(r->cr0 & CR0_PG)) {
		/* Paging off: physical, 32-bit unless in 64-bit code (never). */
		*gpa = va;
		*left = 0x1000 - (va & 0xfff);
		return 0;
	}
	if (r->efer & EFER_LMA) {
		bool la57 = r->cr4 & CR4_LA57;

		if (!canonical(va, la57 ? 57 : 48))
			return -EINVAL;
		return page_walk_64(r->cr3, va, la57 ? 5 : 4, read, ctx, gpa, left);
	}
	if (va >> 32)
		return -EINVAL;
	if (r->cr4 & CR4_PAE) {
		uint64_t pdpte;

		/* The 4 PDPTEs sit at CR3 bits 31:5. */
		if (!read(ctx, (r->cr3 & 0xffffffe0ULL) + (va >> 30) * 8, 8, &pdpte) ||
		    !(pdpte & PTE_P))
			return -EFAULT;
		return page_walk_64(pdpte, va, 2, read, ctx, gpa, left);
	}
	return page_walk_32(r->cr3, va, r->cr4 & CR4_PSE, read, ctx, gpa, left);
}
