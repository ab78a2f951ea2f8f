// SPDX-License-Identifier: MIT
/*
 * ELF kernel parser (boot/elf_kernel.c) and PVH start info (boot/pvh.c):
 * a made-up vmlinux with and without the PVH note, and every way a
 * hostile file can be wrong.
 */
#include <check.h>
#include <linux/elf.h>
#include <string.h>

#include "boot/elf_kernel.h"
#include "boot/pvh.h"
#include "tests/unit/unit_main.h"

#define IMG_SIZE	0x3000
#define PH_OFF		sizeof(Elf64_Ehdr)
#define NOTE_OFF	0x200
#define SEG_OFF		0x1000
#define SEG_PADDR	0x1000000ULL

static uint8_t img[IMG_SIZE];

/* Two program headers: PT_LOAD (0x2000 file bytes, 0x4000 in memory), PT_NOTE. */
static void make_elf(bool pvh)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = SEG_PADDR + 0x200, .e_phoff = PH_OFF,
		.e_ehsize = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 2,
	};
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_offset = SEG_OFF, .p_vaddr = SEG_PADDR,
		  .p_paddr = SEG_PADDR, .p_filesz = 0x2000, .p_memsz = 0x4000 },
		{ .p_type = PT_NOTE, .p_offset = NOTE_OFF, .p_filesz = pvh ? 20 : 0 },
	};
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = 4,
			  .n_type = XEN_ELFNOTE_PHYS32_ENTRY };
	uint32_t entry32 = SEG_PADDR + 0x100;

	memset(img, 0, sizeof(img));
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + PH_OFF, ph, sizeof(ph));
	memcpy(img + NOTE_OFF, &nh, sizeof(nh));
	memcpy(img + NOTE_OFF + sizeof(nh), "Xen", 4);
	memcpy(img + NOTE_OFF + sizeof(nh) + 4, &entry32, 4);
}

static Elf64_Phdr *phdr(unsigned int i)
{
	return (Elf64_Phdr *)(void *)(img + PH_OFF + i * sizeof(Elf64_Phdr));
}

static void expect_bad(size_t size, const char *needle)
{
	struct elf_kernel_info info;
	char why[256] = "";

	ck_assert_int_eq(elf_kernel_parse(img, size, &info, why, sizeof(why)), -1);
	ck_assert(why[0]);
	ck_assert_msg(strstr(why, needle), "'%s' lacks '%s'", why, needle);
}

START_TEST(test_vmlinux_without_pvh)
{
	struct elf_kernel_info info;
	char why[256] = "";

	make_elf(false);
	ck_assert(elf_kernel_is_elf(img, sizeof(img)));
	ck_assert_int_eq(elf_kernel_parse(img, sizeof(img), &info, why, sizeof(why)), 0);
	ck_assert(!info.has_pvh);
	ck_assert_uint_eq(info.entry64, SEG_PADDR + 0x200);
	ck_assert_uint_eq(info.nr_segments, 1);
	ck_assert_uint_eq(info.seg[0].filesz, 0x2000);
	ck_assert_uint_eq(info.seg[0].memsz, 0x4000);
	ck_assert_uint_eq(info.lowest, SEG_PADDR);
	ck_assert_uint_eq(info.highest, SEG_PADDR + 0x4000);
}
END_TEST

START_TEST(test_vmlinux_with_pvh)
{
	struct elf_kernel_info info;
	char why[256] = "";

	make_elf(true);
	ck_assert_int_eq(elf_kernel_parse(img, sizeof(img), &info, why, sizeof(why)), 0);
	ck_assert(info.has_pvh);
	ck_assert_uint_eq(info.pvh_entry, SEG_PADDR + 0x100);
}
END_TEST

START_TEST(test_hostile_elf)
{
	make_elf(true);
	expect_bad(3, "not an ELF file");
	expect_bad(10, "truncated ELF header");
	expect_bad(40, "truncated ELF header");
	expect_bad(PH_OFF + 10, "program headers run past");
	expect_bad(SEG_OFF + 0x100, "a segment runs past");
	make_elf(true);
	img[EI_CLASS] = ELFCLASS32;
	expect_bad(sizeof(img), "64-bit little-endian");
	make_elf(true);
	img[18] = 3;	/* e_machine EM_386 */
	expect_bad(sizeof(img), "x86-64");
	make_elf(true);
	img[16] = ET_DYN;
	expect_bad(sizeof(img), "ET_EXEC");
	make_elf(true);
	phdr(0)->p_filesz = 0x5000;
	expect_bad(sizeof(img), "more file bytes than memory bytes");
	make_elf(true);
	phdr(0)->p_paddr = ~0ULL - 0x100;
	expect_bad(sizeof(img), "wraps around");
	make_elf(true);
	phdr(0)->p_offset = ~0ULL;
	expect_bad(sizeof(img), "runs past the end");
	make_elf(true);
	phdr(1)->p_filesz = 0x10000;
	expect_bad(sizeof(img), "note segment runs past");
	make_elf(true);
	((Elf64_Nhdr *)(void *)(img + NOTE_OFF))->n_descsz = 0xfffffff0;
	expect_bad(sizeof(img), "malformed ELF note");
	make_elf(true);
	((Elf64_Nhdr *)(void *)(img + NOTE_OFF))->n_descsz = 2;
	expect_bad(sizeof(img), "PVH entry note has a bad size");
	make_elf(true);
	img[NOTE_OFF + 16] = 0;		/* entry32 = 0x1000000 -> 0x01000000 low byte */
	img[NOTE_OFF + 19] = 0x20;	/* 0x20000000: outside the segment */
	expect_bad(sizeof(img), "PVH entry point is outside");
	make_elf(false);
	memset(img + 24, 0, 8);		/* e_entry = 0 */
	expect_bad(sizeof(img), "entry point is outside");
	make_elf(false);
	phdr(0)->p_type = PT_NULL;
	expect_bad(sizeof(img), "no loadable segments");
	make_elf(false);
	img[56] = 0;			/* e_phnum = 0 */
	expect_bad(sizeof(img), "program headers");
}
END_TEST

START_TEST(test_pvh_start_info)
{
	struct e820_entry e820[3] = {
		{ 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0x60400, E820_RESERVED },
		{ 0x100000, 0xff00000, E820_RAM },
	};
	struct pvh_boot_args args = {
		.cmdline_addr = 0x20000, .initrd_addr = 0x8000000,
		.initrd_size = 4099, .rsdp_addr = 0xe0000,
		.e820 = e820, .nr_e820 = 3,
	};
	uint8_t page[4096];
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry map[3];
	char why[256] = "";

	memset(page, 0xaa, sizeof(page));
	ck_assert_int_eq(pvh_build_start_info(page, sizeof(page), 0x10000, &args, why, sizeof(why)), 0);
	memcpy(&si, page, sizeof(si));
	ck_assert_uint_eq(si.magic, HVM_START_MAGIC_VALUE);
	ck_assert_uint_eq(si.version, 1);
	ck_assert_uint_eq(si.cmdline_paddr, 0x20000);
	ck_assert_uint_eq(si.rsdp_paddr, 0xe0000);
	ck_assert_uint_eq(si.nr_modules, 1);
	ck_assert_uint_eq(si.memmap_entries, 3);
	ck_assert_uint_ge(si.modlist_paddr, 0x10000 + sizeof(si));
	memcpy(&mod, page + (si.modlist_paddr - 0x10000), sizeof(mod));
	ck_assert_uint_eq(mod.paddr, 0x8000000);
	ck_assert_uint_eq(mod.size, 4099);
	memcpy(map, page + (si.memmap_paddr - 0x10000), sizeof(map));
	ck_assert_uint_eq(map[2].addr, 0x100000);
	ck_assert_uint_eq(map[2].size, 0xff00000);
	ck_assert_uint_eq(map[1].type, HVM_MEMMAP_TYPE_RESERVED);

	args.initrd_size = 0;
	ck_assert_int_eq(pvh_build_start_info(page, sizeof(page), 0x10000, &args, why, sizeof(why)), 0);
	memcpy(&si, page, sizeof(si));
	ck_assert_uint_eq(si.nr_modules, 0);
	ck_assert_uint_eq(si.modlist_paddr, 0);
	ck_assert_int_eq(pvh_build_start_info(page, 100, 0x10000, &args, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "does not fit"));
}
END_TEST

static Suite *elf_kernel_suite(void)
{
	Suite *s = suite_create("elf_kernel");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_vmlinux_without_pvh);
	tcase_add_test(tc, test_vmlinux_with_pvh);
	tcase_add_test(tc, test_hostile_elf);
	tcase_add_test(tc, test_pvh_start_info);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(elf_kernel_suite());
}
