/* SPDX-License-Identifier: MIT */
/*
 * What a vCPU needs in guest memory to start in 64-bit long mode: identity
 * page tables for the low 4 GiB (2 MiB pages) and a flat GDT.  Freestanding.
 */
#ifndef MINIVMM_LONG_MODE_H
#define MINIVMM_LONG_MODE_H

#include <stdint.h>

#define BOOT_GDT_ENTRIES	5
#define BOOT_GDT_CODE32_SEL	0x08	/* PVH entry: 32-bit protected mode */
#define BOOT_GDT_CODE64_SEL	0x10
#define BOOT_GDT_DATA_SEL	0x18
#define BOOT_GDT_TSS_SEL	0x20

#define BOOT_GDT_CODE32		0x00cf9b000000ffffULL /* D=1, 4 GiB, exec/read */
#define BOOT_GDT_CODE64		0x00af9b000000ffffULL /* L=1, P, DPL0, exec/read */
#define BOOT_GDT_DATA		0x00cf93000000ffffULL /* 4 GiB flat, read/write */
#define BOOT_GDT_TSS		0x00008b0000000067ULL /* busy 64-bit TSS at 0 */

/*
 * Write PML4, PDPT and four page directories at the LAYOUT_* addresses and
 * the GDT at LAYOUT_GDT_ADDR.  low_mem points at guest physical address 0
 * and must cover LAYOUT_PAGE_TABLES_END bytes.
 */
void boot_write_long_mode_tables(uint8_t *low_mem);

#endif
