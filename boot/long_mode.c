// SPDX-License-Identifier: MIT
#include "boot/long_mode.h"

#include "boot/layout.h"

#define PTE_PRESENT	0x1ULL
#define PTE_WRITE	0x2ULL
#define PTE_LARGE	0x80ULL

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void boot_write_long_mode_tables(uint8_t *low_mem)
{
	uint8_t *pml4 = low_mem + LAYOUT_PML4_ADDR;
	uint8_t *pdpt = low_mem + LAYOUT_PDPT_ADDR;
	uint8_t *pd = low_mem + LAYOUT_PD_ADDR;
	const uint64_t gdt[BOOT_GDT_ENTRIES] = {
		0, BOOT_GDT_CODE32, BOOT_GDT_CODE64, BOOT_GDT_DATA, BOOT_GDT_TSS,
	};

	__builtin_memset(pml4, 0, 4096);
	__builtin_memset(pdpt, 0, 4096);
	put64(pml4, LAYOUT_PDPT_ADDR | PTE_PRESENT | PTE_WRITE);
	for (uint64_t i = 0; i < LAYOUT_PD_COUNT; i++)
		put64(pdpt + 8 * i, (LAYOUT_PD_ADDR + 4096 * i) | PTE_PRESENT | PTE_WRITE);
	/* 4 directories x 512 entries x 2 MiB = the low 4 GiB, identity. */
	for (uint64_t i = 0; i < LAYOUT_PD_COUNT * 512; i++)
		put64(pd + 8 * i, (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
	for (int i = 0; i < BOOT_GDT_ENTRIES; i++)
		put64(low_mem + LAYOUT_GDT_ADDR + 8 * i, gdt[i]);
}
