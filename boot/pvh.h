/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot ABI: a kernel whose ELF has a XEN_ELFNOTE_PHYS32_ENTRY
 * note is entered at that address in 32-bit protected mode, paging off,
 * with EBX = the guest physical address of a struct hvm_start_info.
 *
 * Xen's headers are not in the kernel's uapi, so the ABI is written out
 * here, once, from its specification: Xen's docs/misc/pvh.pandoc and
 * xen/include/public/arch-x86/hvm/start_info.h (version 1 of the start
 * info, with the memory map), and xen/include/public/elfnote.h for the
 * note number.  Linux reads it in arch/x86/platform/pvh/enlighten.c.
 * Freestanding.
 */
#ifndef MINIVMM_PVH_H
#define MINIVMM_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "boot/linux_boot.h"

#define XEN_ELFNOTE_PHYS32_ENTRY	18	/* desc: 32-bit physical entry */
#define PVH_ELFNOTE_NAME		"Xen"

#define HVM_START_MAGIC_VALUE		0x336ec578
#define HVM_START_INFO_VERSION		1	/* has memmap_paddr/entries */

/* Types of struct hvm_memmap_table_entry (the e820 types). */
#define HVM_MEMMAP_TYPE_RAM		1
#define HVM_MEMMAP_TYPE_RESERVED	2
#define HVM_MEMMAP_TYPE_ACPI		3

struct hvm_start_info {
	uint32_t magic;			/* HVM_START_MAGIC_VALUE */
	uint32_t version;
	uint32_t flags;			/* SIF_xxx, 0 here */
	uint32_t nr_modules;
	uint64_t modlist_paddr;		/* struct hvm_modlist_entry[] */
	uint64_t cmdline_paddr;		/* NUL-terminated */
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info ABI");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry ABI");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap ABI");

struct pvh_boot_args {
	uint64_t cmdline_addr;		/* 0: none */
	uint64_t initrd_addr;
	uint64_t initrd_size;		/* 0: no module */
	uint64_t rsdp_addr;
	const struct e820_entry *e820;
	unsigned int nr_e820;
};

/*
 * Lay out the start info, the module list (the initrd, if any) and the
 * memory map in buf (cap bytes, which the guest sees at gpa).  The start
 * info comes first, at gpa.  Returns 0, or -1 with a line in err when it does not
 * fit.
 */
int pvh_build_start_info(void *buf, size_t cap, uint64_t gpa,
			 const struct pvh_boot_args *args, char *err, size_t errlen);

#endif
