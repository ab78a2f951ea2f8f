// SPDX-License-Identifier: MIT
/*
 * From either boot protocol to one struct guest_boot: command line, memory
 * map, initrd and the ACPI RSDP hint, then into the guest's guest_main().
 */
#include "tests/guest/lib/guest_boot.h"

#include "boot/layout.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_serial.h"
#include "tests/guest/lib/guest_string.h"

#define GUEST_MAP_END	0x100000000ULL	/* our identity map ends at 4 GiB */

/* guest_head.S: page tables and the start of the protected-mode part. */
extern uint64_t guest_pml4[512], guest_pdpt[512], guest_pd[4 * 512];
extern const char guest_pm_start[];
extern uint64_t guest_entry_rflags;
extern uint16_t guest_entry_cs, guest_entry_ds, guest_entry_ss;

void guest_paging_init(void);

/*
 * The 64-bit boot protocol only promises the image, the zero page and the
 * command line to be mapped; map the low 4 GiB ourselves (2 MiB pages).
 * Runs before .bss is cleared, on the loader's page tables.
 */
void guest_paging_init(void)
{
	unsigned int i;

	for (i = 0; i < 512; i++) {
		guest_pml4[i] = 0;
		guest_pdpt[i] = 0;
	}
	guest_pml4[0] = (uintptr_t)guest_pdpt | 3;
	for (i = 0; i < 4; i++)
		guest_pdpt[i] = (uintptr_t)&guest_pd[i * 512] | 3;
	for (i = 0; i < 4 * 512; i++)
		guest_pd[i] = ((uint64_t)i << 21) | 0x83;
	write_cr3((uintptr_t)guest_pml4);
}

/* True when [addr, addr + len) lies inside our identity map. */
static bool guest_mapped(uint64_t addr, uint64_t len)
{
	return addr < GUEST_MAP_END && len <= GUEST_MAP_END - addr;
}

static void guest_boot_set_cmdline(struct guest_boot *b, uint64_t addr)
{
	b->cmdline_addr = addr;
	if (!addr || !guest_mapped(addr, GUEST_CMDLINE_MAX))
		return;
	b->cmdline = phys_ptr(addr);
	b->cmdline_len = guest_strnlen(b->cmdline, GUEST_CMDLINE_MAX);
}

static void guest_boot_linux(struct guest_boot *b, const uint8_t *bp)
{
	unsigned int i, n;

	b->info_ok = get32(bp + HDR_MAGIC) == HDR_MAGIC_VALUE;
	b->hdr_version = get16(bp + HDR_VERSION);
	b->type_of_loader = get8(bp + HDR_TYPE_OF_LOADER);
	guest_boot_set_cmdline(b, get32(bp + HDR_CMD_LINE_PTR) |
			       (uint64_t)get32(bp + BP_EXT_CMD_LINE_PTR) << 32);
	b->initrd_addr = get32(bp + HDR_RAMDISK_IMAGE) |
			 (uint64_t)get32(bp + BP_EXT_RAMDISK_IMAGE) << 32;
	b->initrd_size = get32(bp + HDR_RAMDISK_SIZE) |
			 (uint64_t)get32(bp + BP_EXT_RAMDISK_SIZE) << 32;
	b->rsdp_hint = get64(bp + BP_ACPI_RSDP_ADDR);
	n = get8(bp + BP_E820_ENTRIES);
	b->nr_e820_reported = n;
	if (n > GUEST_E820_MAX)
		n = GUEST_E820_MAX;
	for (i = 0; i < n; i++) {
		const uint8_t *e = bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;

		b->e820[i].addr = get64(e);
		b->e820[i].size = get64(e + 8);
		b->e820[i].type = get32(e + 16);
	}
	b->nr_e820 = n;
}

static void guest_boot_pvh(struct guest_boot *b, const uint8_t *si)
{
	uint32_t version, i, n;
	uint64_t list;

	b->info_ok = get32(si) == PVH_MAGIC;
	if (!b->info_ok)
		return;
	version = get32(si + PVH_VERSION);
	b->hdr_version = version;
	guest_boot_set_cmdline(b, get64(si + PVH_CMDLINE_PADDR));
	b->rsdp_hint = get64(si + PVH_RSDP_PADDR);
	list = get64(si + PVH_MODLIST_PADDR);
	if (get32(si + PVH_NR_MODULES) && guest_mapped(list, 32)) {
		b->initrd_addr = get64(phys_ptr(list));
		b->initrd_size = get64((const uint8_t *)phys_ptr(list) + 8);
	}
	if (version < 1)
		return;
	list = get64(si + PVH_MEMMAP_PADDR);
	n = get32(si + PVH_MEMMAP_ENTRIES);
	b->nr_e820_reported = n;
	if (n > GUEST_E820_MAX)
		n = GUEST_E820_MAX;
	if (!guest_mapped(list, (uint64_t)n * PVH_MEMMAP_ENTRY_SIZE))
		return;
	for (i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)phys_ptr(list) +
				   i * PVH_MEMMAP_ENTRY_SIZE;

		b->e820[i].addr = get64(e);
		b->e820[i].size = get64(e + 8);
		b->e820[i].type = get32(e + 16);
	}
	b->nr_e820 = n;
}

void guest_boot_entry(uint64_t kind, uint64_t info, uint64_t tsc)
{
	struct guest_boot boot;

	memset(&boot, 0, sizeof(boot));
	serial_init();
	boot.kind = (enum guest_boot_kind)kind;
	boot.info_addr = info;
	boot.load_addr = (uintptr_t)guest_pm_start;
	boot.tsc_entry = tsc;
	boot.entry_rflags = guest_entry_rflags;
	boot.entry_cs = guest_entry_cs;
	boot.entry_ds = guest_entry_ds;
	boot.entry_ss = guest_entry_ss;
	if (guest_mapped(info, 4096)) {
		if (kind == GUEST_BOOT_LINUX64)
			guest_boot_linux(&boot, phys_ptr(info));
		else
			guest_boot_pvh(&boot, phys_ptr(info));
	}
	guest_main(&boot);
}
