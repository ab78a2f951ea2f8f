/* SPDX-License-Identifier: MIT */
/*
 * An uncompressed x86-64 kernel in ELF form (vmlinux, or any ELF64
 * executable built the same way): its loadable segments at their physical
 * addresses, the 64-bit entry (e_entry, physical, as Linux links it) and,
 * when the image has a XEN_ELFNOTE_PHYS32_ENTRY note, its PVH entry.
 * A bounded parser of untrusted files (fuzzed: tests/fuzz/fuzz_elf_kernel.c).
 */
#ifndef MINIVMM_ELF_KERNEL_H
#define MINIVMM_ELF_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_KERNEL_MAX_SEGMENTS 16

struct elf_kernel_segment {
	uint64_t paddr;
	uint64_t offset;	/* in the file */
	uint64_t filesz;	/* bytes copied from the file */
	uint64_t memsz;		/* filesz..memsz is zeroed */
};

struct elf_kernel_info {
	uint64_t entry64;		/* e_entry */
	bool has_pvh;
	uint32_t pvh_entry;		/* XEN_ELFNOTE_PHYS32_ENTRY */
	uint64_t lowest, highest;	/* [lowest, highest) covers all segments */
	unsigned int nr_segments;
	struct elf_kernel_segment seg[ELF_KERNEL_MAX_SEGMENTS];
};

/* True if image starts with the ELF magic (the caller then uses this parser). */
bool elf_kernel_is_elf(const void *image, size_t size);

/*
 * Parse and check an ELF64 x86-64 executable: header and program headers
 * inside the file, every PT_LOAD's file bytes inside the file, filesz <=
 * memsz, no address overflow, entry points inside a loaded segment.
 * Placement in guest RAM is the caller's check (it knows the RAM).
 * Returns 0, or -1 with one line in err.
 */
int elf_kernel_parse(const void *image, size_t size,
		     struct elf_kernel_info *info, char *err, size_t errlen);

#endif
