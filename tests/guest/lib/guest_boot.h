/* SPDX-License-Identifier: MIT */
/*
 * What a test guest learns at boot, the same whichever way it was entered:
 * the Linux 64-bit boot protocol (minivmm -kernel guest.bzImage) or PVH
 * (qemu -kernel guest.elf).  guest_head.S enters guest_boot_entry(), which
 * fills struct guest_boot and calls the guest's own guest_main().
 */
#ifndef GUEST_BOOT_H
#define GUEST_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_LOAD_ADDR		0x1000000ULL	/* pref_address, PVH address */
#define GUEST_E820_MAX		128		/* E820_MAX_ENTRIES_ZEROPAGE */

/* Zero page (struct boot_params) offsets, Documentation/arch/x86/zero-page.rst */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0C0
#define BP_EXT_RAMDISK_SIZE	0x0C4
#define BP_EXT_CMD_LINE_PTR	0x0C8
#define BP_E820_ENTRIES		0x1E8
#define BP_HDR			0x1F1	/* struct setup_header */
#define BP_E820_TABLE		0x2D0
#define BP_E820_ENTRY_SIZE	20

/* Setup header offsets (from the start of the image / boot_params). */
#define HDR_SETUP_SECTS		0x1F1
#define HDR_BOOT_FLAG		0x1FE
#define HDR_MAGIC		0x202	/* "HdrS" */
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21C
#define HDR_CMD_LINE_PTR	0x228
#define HDR_CMDLINE_SIZE	0x238
#define HDR_MAGIC_VALUE		0x53726448U	/* "HdrS" little-endian */

/* PVH hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h) */
#define PVH_MAGIC		0x336ec578U
#define PVH_VERSION		0x04
#define PVH_NR_MODULES		0x0C
#define PVH_MODLIST_PADDR	0x10
#define PVH_CMDLINE_PADDR	0x18
#define PVH_RSDP_PADDR		0x20
#define PVH_MEMMAP_PADDR	0x28
#define PVH_MEMMAP_ENTRIES	0x30
#define PVH_MODLIST_ENTRY_SIZE	32	/* paddr, size, cmdline, reserved */
#define PVH_MEMMAP_ENTRY_SIZE	24	/* addr, size, type, reserved */

/* Largest command line we read: our header's cmdline_size + 1. */
#define GUEST_CMDLINE_MAX	0x10000

enum guest_boot_kind {
	GUEST_BOOT_LINUX64 = 1,	/* RSI = struct boot_params */
	GUEST_BOOT_PVH = 2,	/* EBX = struct hvm_start_info */
};

struct guest_e820 {
	uint64_t addr, size;
	uint32_t type;
};

struct guest_boot {
	enum guest_boot_kind kind;
	uint64_t info_addr;		/* zero page or start_info */
	uint64_t load_addr;		/* where this image runs */
	bool info_ok;			/* magic of the info block matched */
	uint32_t hdr_version;		/* Linux: boot_params.hdr.version */
	uint8_t type_of_loader;
	const char *cmdline;		/* NULL when none */
	size_t cmdline_len;
	uint64_t cmdline_addr;
	struct guest_e820 e820[GUEST_E820_MAX];
	unsigned int nr_e820;
	unsigned int nr_e820_reported;	/* before clamping to the array */
	uint64_t initrd_addr, initrd_size;
	uint64_t rsdp_hint;		/* from the boot info; 0 if none */
	uint64_t tsc_entry;
	/* State at entry, as the loader set it. */
	uint64_t entry_rflags;
	uint16_t entry_cs, entry_ds, entry_ss;
};

/* Provided by each guest; never returns. */
void guest_main(const struct guest_boot *boot) __attribute__((noreturn));

/* Called by guest_head.S (kind, info address, entry TSC). */
void guest_boot_entry(uint64_t kind, uint64_t info, uint64_t tsc)
	__attribute__((noreturn));

#endif
