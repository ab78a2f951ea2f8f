// SPDX-License-Identifier: MIT
/* Unit tests of the Linux boot protocol code: setup header parsing of a
 * synthetic bzImage and of hostile ones (every rejection path), the zero
 * page at its documented offsets, e820 maps and initrd placement.  A real
 * Debian bzImage is parsed too when one is available. */
#include <check.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/layout.h"
#include "boot/linux_boot.h"
#include "tests/unit/unit_main.h"

#define MiB (1024ULL * 1024)
#define GiB (1024 * MiB)

#define SETUP_SECTS	4
#define SETUP_BYTES	((SETUP_SECTS + 1) * 512)
#define KERNEL_BYTES	8192
#define IMG_SIZE	(SETUP_BYTES + KERNEL_BYTES)

static uint8_t img[IMG_SIZE];

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* A minimal bzImage as a 2.15 kernel's build.c would lay it out. */
static void make_image(void)
{
	size_t i;

	memset(img, 0, sizeof(img));
	for (i = SETUP_BYTES; i < IMG_SIZE; i++)
		img[i] = (uint8_t)(i * 7);
	img[0x1f1] = SETUP_SECTS;
	put32(img + 0x1f4, KERNEL_BYTES / 16);		/* syssize */
	put16(img + 0x1fa, 0xffff);			/* vid_mode */
	put16(img + 0x1fe, 0xaa55);
	img[0x200] = 0xeb;
	img[0x201] = 0x6a;				/* header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, 0x020f);
	img[0x211] = 0x01;				/* LOADED_HIGH */
	put32(img + 0x214, 0x100000);			/* code32_start */
	put32(img + 0x22c, 0x7fffffff);			/* initrd_addr_max */
	put32(img + 0x230, 0x200000);			/* kernel_alignment */
	img[0x234] = 1;					/* relocatable */
	img[0x235] = 0x15;				/* min_alignment */
	put16(img + 0x236, 0x7f);			/* xloadflags */
	put32(img + 0x238, 2047);			/* cmdline_size */
	put64(img + 0x258, 0x1000000);			/* pref_address */
	put32(img + 0x260, 0x2000000);			/* init_size */
	put32(img + 0x264, 0x1234);			/* handover_offset */
	put32(img + 0x268, 0x5678);			/* kernel_info_offset */
}

START_TEST(test_parse_good)
{
	struct linux_setup_info si;
	char why[256] = "";

	make_image();
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
	ck_assert_uint_eq(si.protocol, 0x020f);
	ck_assert_uint_eq(si.setup_bytes, SETUP_BYTES);
	ck_assert_uint_eq(si.kernel_bytes, KERNEL_BYTES);
	ck_assert_uint_eq(si.pref_address, 0x1000000);
	ck_assert_uint_eq(si.kernel_alignment, 0x200000);
	ck_assert_uint_eq(si.init_size, 0x2000000);
	ck_assert_uint_eq(si.initrd_addr_max, 0x7fffffff);
	ck_assert_uint_eq(si.cmdline_size, 2047);
	ck_assert(si.relocatable);
	ck_assert(si.xlf_kernel_64);
	ck_assert_uint_eq(linux_kernel_load_addr(&si), 0x1000000);

	/* setup_sects 0 means 4 */
	img[0x1f1] = 0;
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
	ck_assert_uint_eq(si.setup_bytes, 5 * 512);

	/* a smaller setup makes the kernel part bigger */
	make_image();
	img[0x1f1] = 2;
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
	ck_assert_uint_eq(si.setup_bytes, 3 * 512);
	ck_assert_uint_eq(si.kernel_bytes, IMG_SIZE - 3 * 512);

	/* init_size smaller than the image part is raised to cover it */
	make_image();
	put32(img + 0x260, 16);
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
	ck_assert_uint_eq(si.init_size, KERNEL_BYTES);

	/* not relocatable: alignment is not checked */
	make_image();
	img[0x234] = 0;
	put32(img + 0x230, 3);
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
	ck_assert(!si.relocatable);

	/* 2.12, the first protocol with xloadflags, is enough */
	make_image();
	put16(img + 0x206, 0x020c);
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
	ck_assert_uint_eq(si.protocol, 0x020c);

	/* the 1 MiB fallback for protocols without pref_address */
	si.protocol = 0x0209;
	ck_assert_uint_eq(linux_kernel_load_addr(&si), 0x100000);
}
END_TEST

struct reject {
	const char *what;
	void (*patch)(void);
	size_t size;		/* 0: IMG_SIZE */
	const char *why;	/* prefix of the reason */
};

static void p_magic(void) { img[0x202] = 'h'; }
static void p_bootflag(void) { put16(img + 0x1fe, 0x55aa); }
static void p_proto203(void) { put16(img + 0x206, 0x0203); }
static void p_proto205(void) { put16(img + 0x206, 0x0205); }
static void p_proto211(void) { put16(img + 0x206, 0x020b); }
static void p_nojump(void) { img[0x200] = 0xe9; }
static void p_longhdr(void) { img[0x201] = 0x8f; }	/* 0x291 > 0x290 */
static void p_shorthdr(void) { img[0x201] = 0x30; }	/* ends at 0x232 */
static void p_shorthdr210(void) { img[0x201] = 0x5c; }	/* ends at 0x25e */
static void p_setup255(void) { img[0x1f1] = 255; }
static void p_syssize(void) { put32(img + 0x1f4, KERNEL_BYTES / 16 + 1); }
static void p_syssize_huge(void) { put32(img + 0x1f4, 0xffffffff); }
static void p_noxlf(void) { put16(img + 0x236, 0x7e); }
static void p_noloadhigh(void) { img[0x211] = 0; }
static void p_align0(void) { put32(img + 0x230, 0); }
static void p_align3(void) { put32(img + 0x230, 0x300000); }
static void p_pref_low(void) { put64(img + 0x258, 0x90000); }
static void p_pref_hole(void) { put64(img + 0x258, 0xbf000000); }
static void p_pref_huge(void) { put64(img + 0x258, 0xffffffffffff0000ULL); }
static void p_init_huge(void) { put32(img + 0x260, 0xffffffff); }
static void p_none(void) { }

START_TEST(test_parse_rejects)
{
	static const struct reject r[] = {
		{ "no HdrS", p_magic, 0, "not a bzImage (no HdrS" },
		{ "no 0xAA55", p_bootflag, 0, "not a bzImage (no 0xAA55" },
		{ "2.03", p_proto203, 0, "boot protocol is older than 2.06" },
		{ "2.05", p_proto205, 0, "boot protocol is older than 2.06" },
		{ "2.11", p_proto211, 0, "no 64-bit entry point (XLF_KERNEL_64)" },
		{ "no jump", p_nojump, 0, "not a bzImage (no short jump" },
		{ "long hdr", p_longhdr, 0, "setup header is longer" },
		{ "short hdr", p_shorthdr, 0, "setup header is too short" },
		{ "short 2.10 hdr", p_shorthdr210, 0, "setup header is too short" },
		{ "setup 255", p_setup255, 0, "truncated: no protected-mode" },
		{ "syssize", p_syssize, 0, "truncated: protected-mode kernel" },
		{ "syssize huge", p_syssize_huge, 0, "truncated: protected-mode kernel" },
		{ "no XLF", p_noxlf, 0, "no 64-bit entry point (XLF_KERNEL_64)" },
		{ "no LOADED_HIGH", p_noloadhigh, 0, "kernel is not a bzImage" },
		{ "align 0", p_align0, 0, "kernel_alignment" },
		{ "align 3M", p_align3, 0, "kernel_alignment" },
		{ "pref < 1M", p_pref_low, 0, "kernel load address is below" },
		{ "pref in hole", p_pref_hole, 0, "kernel does not fit" },
		{ "pref huge", p_pref_huge, 0, "kernel does not fit" },
		{ "init_size huge", p_init_huge, 0, "kernel does not fit" },
		{ "tiny", p_none, 0x100, "truncated: image is shorter than a setup" },
		{ "cut in hdr", p_none, 0x240, "truncated: image is shorter than its setup header" },
		{ "setup only", p_none, SETUP_BYTES, "truncated: no protected-mode" },
	};
	struct linux_setup_info si;
	unsigned int i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		char why[256] = "";

		make_image();
		r[i].patch();
		memset(&si, 0x5a, sizeof(si));
		ck_assert_msg(linux_parse_setup(img, r[i].size ? r[i].size : IMG_SIZE,
						&si, why, sizeof(why)) == -1,
			      "%s accepted", r[i].what);
		ck_assert_msg(why[0] && !strncmp(why, r[i].why, strlen(r[i].why)),
			      "%s: why = %s", r[i].what, why);
		/* info untouched on failure */
		ck_assert_uint_eq(si.protocol, 0x5a5a);
	}
	ck_assert_int_eq(linux_parse_setup(NULL, IMG_SIZE, &si, NULL, 0), -1);
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, NULL, NULL, 0), -1);
}
END_TEST

START_TEST(test_parse_every_truncation)
{
	struct linux_setup_info si;
	char why[256];
	size_t size;

	make_image();
	for (size = 0; size < IMG_SIZE; size++) {
		why[0] = '\0';
		ck_assert_msg(linux_parse_setup(img, size, &si, why, sizeof(why)) == -1,
			      "truncated to %zu accepted", size);
		ck_assert(why[0]);
	}
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
	/* trailing bytes (a signature) are fine */
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_parse_garbage)
{
	static uint8_t junk[65536];
	struct linux_setup_info si;
	uint32_t x = 12345;
	unsigned int round;
	size_t i;

	for (round = 0; round < 200; round++) {
		char why[256] = "";

		for (i = 0; i < sizeof(junk); i++) {
			x = x * 1103515245 + 12345;
			junk[i] = (uint8_t)(x >> 16);
		}
		if (round & 1) {
			/* plausible header, random everything else */
			memcpy(junk + 0x202, "HdrS", 4);
			put16(junk + 0x1fe, 0xaa55);
		}
		if (linux_parse_setup(junk, (x >> 8) % sizeof(junk), &si, why, sizeof(why))) {
			ck_assert(why[0]);
		} else {
			ck_assert_uint_ge(si.pref_address, 0x100000);
			ck_assert_uint_le(si.pref_address + si.init_size,
					  LAYOUT_MMIO_HOLE_START);
		}
	}
	/* all ones, all zeros */
	memset(junk, 0xff, sizeof(junk));
	ck_assert_int_eq(linux_parse_setup(junk, sizeof(junk), &si, NULL, 0), -1);
	memset(junk, 0, sizeof(junk));
	ck_assert_int_eq(linux_parse_setup(junk, sizeof(junk), &si, NULL, 0), -1);
}
END_TEST

/* ---- zero page ---- */

static struct linux_setup_info parsed(void)
{
	struct linux_setup_info si;
	char why[256];

	make_image();
	ck_assert_int_eq(linux_parse_setup(img, IMG_SIZE, &si, why, sizeof(why)), 0);
	return si;
}

START_TEST(test_zero_page)
{
	static uint8_t zp[LINUX_ZERO_PAGE_SIZE + 16];
	struct linux_setup_info si = parsed();
	struct e820_entry e[8];
	unsigned int n = linux_e820_map(256 * MiB, e, 8), i;
	struct linux_boot_args args = {
		.cmdline_addr = LAYOUT_CMDLINE_ADDR, .cmdline_len = 15,
		.initrd_addr = 0x7000000, .initrd_size = 0x123456,
		.rsdp_addr = LAYOUT_ACPI_ADDR, .e820 = e, .nr_e820 = n,
	};
	char why[256] = "";

	memset(zp, 0xa5, sizeof(zp));
	ck_assert_int_eq(linux_build_boot_params(zp, img, IMG_SIZE, &si, &args,
						 why, sizeof(why)), 0);
	ck_assert_uint_eq(zp[LINUX_ZERO_PAGE_SIZE], 0xa5);	/* no overrun */
	/* header copied, 0x1f1 .. 0x26c (jump 0xeb 0x6a) */
	ck_assert_uint_eq(zp[0x1f1], SETUP_SECTS);
	ck_assert_uint_eq(get16(zp + 0x1fe), 0xaa55);
	ck_assert_mem_eq(zp + 0x202, "HdrS", 4);
	ck_assert_uint_eq(get16(zp + 0x206), 0x020f);
	ck_assert_uint_eq(get32(zp + 0x214), 0x100000);
	ck_assert_uint_eq(get32(zp + 0x22c), 0x7fffffff);
	ck_assert_uint_eq(get16(zp + 0x236), 0x7f);
	ck_assert_uint_eq(get64(zp + 0x258), 0x1000000);
	ck_assert_uint_eq(get32(zp + 0x260), 0x2000000);
	ck_assert_uint_eq(get32(zp + 0x268), 0x5678);
	/* loader fields */
	ck_assert_uint_eq(zp[0x210], 0xff);			/* type_of_loader */
	ck_assert_uint_eq(zp[0x211], 0x81);			/* LOADED_HIGH|CAN_USE_HEAP */
	ck_assert_uint_eq(get16(zp + 0x224), 0xfe00);		/* heap_end_ptr */
	ck_assert_uint_eq(get32(zp + 0x228), LAYOUT_CMDLINE_ADDR);
	ck_assert_uint_eq(get32(zp + 0x0c8), 0);		/* ext_cmd_line_ptr */
	ck_assert_uint_eq(get32(zp + 0x218), 0x7000000);	/* ramdisk_image */
	ck_assert_uint_eq(get32(zp + 0x21c), 0x123456);		/* ramdisk_size */
	ck_assert_uint_eq(get32(zp + 0x0c0), 0);
	ck_assert_uint_eq(get32(zp + 0x0c4), 0);
	ck_assert_uint_eq(get64(zp + 0x070), LAYOUT_ACPI_ADDR);	/* acpi_rsdp_addr */
	/* e820 */
	ck_assert_uint_eq(zp[0x1e8], n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(get64(zp + 0x2d0 + 20 * i), e[i].addr);
		ck_assert_uint_eq(get64(zp + 0x2d0 + 20 * i + 8), e[i].size);
		ck_assert_uint_eq(get32(zp + 0x2d0 + 20 * i + 16), e[i].type);
	}
	/* everything else zeroed: below the header, the sentinel, after it */
	for (i = 0; i < 0x1f1; i++)
		if (i != 0x1e8 && (i < 0x070 || i >= 0x078) &&
		    (i < 0x0c0 || i >= 0x0cc))
			ck_assert_msg(zp[i] == 0, "byte 0x%x = 0x%x", i, zp[i]);
	for (i = 0x26c; i < 0x2d0; i++)
		ck_assert_msg(zp[i] == 0, "byte 0x%x = 0x%x", i, zp[i]);
	for (i = 0x2d0 + 20 * n; i < LINUX_ZERO_PAGE_SIZE; i++)
		ck_assert_msg(zp[i] == 0, "byte 0x%x = 0x%x", i, zp[i]);
	/* the protected-mode kernel was not copied */
	ck_assert_uint_eq(zp[0x26c], 0);
}
END_TEST

START_TEST(test_zero_page_high_and_limits)
{
	static uint8_t zp[LINUX_ZERO_PAGE_SIZE];
	static struct e820_entry many[129];
	struct linux_setup_info si = parsed();
	struct linux_boot_args args = {
		.cmdline_addr = 0x123456000ULL, .cmdline_len = 2047,
		.initrd_addr = 0x234567000ULL, .initrd_size = 0x100001000ULL,
	};
	char why[256] = "";
	unsigned int i;

	ck_assert_int_eq(linux_build_boot_params(zp, img, IMG_SIZE, &si, &args,
						 why, sizeof(why)), 0);
	ck_assert_uint_eq(get32(zp + 0x228), 0x23456000);
	ck_assert_uint_eq(get32(zp + 0x0c8), 0x1);
	ck_assert_uint_eq(get32(zp + 0x218), 0x34567000);
	ck_assert_uint_eq(get32(zp + 0x0c0), 0x2);
	ck_assert_uint_eq(get32(zp + 0x21c), 0x00001000);
	ck_assert_uint_eq(get32(zp + 0x0c4), 0x1);
	ck_assert_uint_eq(zp[0x1e8], 0);
	ck_assert_uint_eq(get64(zp + 0x070), 0);

	/* command line: cmdline_size is the limit without the NUL */
	args.cmdline_len = 2048;
	why[0] = '\0';
	ck_assert_int_eq(linux_build_boot_params(zp, img, IMG_SIZE, &si, &args,
						 why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "command line"));

	/* e820: 128 entries fit, 129 do not */
	args.cmdline_len = 0;
	for (i = 0; i < 129; i++)
		many[i] = (struct e820_entry){ i * 0x10000ULL, 0x1000, E820_RAM };
	args.e820 = many;
	args.nr_e820 = 128;
	ck_assert_int_eq(linux_build_boot_params(zp, img, IMG_SIZE, &si, &args,
						 why, sizeof(why)), 0);
	ck_assert_uint_eq(zp[0x1e8], 128);
	ck_assert_uint_eq(get64(zp + 0x2d0 + 20 * 127), 127 * 0x10000ULL);
	args.nr_e820 = 129;
	ck_assert_int_eq(linux_build_boot_params(zp, img, IMG_SIZE, &si, &args,
						 why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "e820"));
	args.e820 = NULL;
	args.nr_e820 = 1;
	ck_assert_int_eq(linux_build_boot_params(zp, img, IMG_SIZE, &si, &args,
						 why, sizeof(why)), -1);

	/* image shorter than its header, hostile jump, missing pieces */
	args.nr_e820 = 0;
	ck_assert_int_eq(linux_build_boot_params(zp, img, 0x250, &si, &args,
						 why, sizeof(why)), -1);
	img[0x201] = 0xff;
	ck_assert_int_eq(linux_build_boot_params(zp, img, IMG_SIZE, &si, &args,
						 why, sizeof(why)), -1);
	make_image();
	ck_assert_int_eq(linux_build_boot_params(NULL, img, IMG_SIZE, &si, &args,
						 why, sizeof(why)), -1);
	ck_assert_int_eq(linux_build_boot_params(zp, NULL, IMG_SIZE, &si, &args,
						 why, sizeof(why)), -1);
	ck_assert_int_eq(linux_build_boot_params(zp, img, IMG_SIZE, &si, NULL,
						 why, sizeof(why)), -1);
}
END_TEST

/* ---- e820 ---- */

static void expect_e820(const struct e820_entry *e, unsigned int i,
			uint64_t addr, uint64_t size, uint32_t type)
{
	ck_assert_msg(e[i].addr == addr && e[i].size == size &&
		      e[i].type == type,
		      "entry %u: %#llx+%#llx type %u, want %#llx+%#llx type %u",
		      i, (unsigned long long)e[i].addr,
		      (unsigned long long)e[i].size, e[i].type,
		      (unsigned long long)addr, (unsigned long long)size, type);
}

START_TEST(test_e820)
{
	struct e820_entry e[8];
	const uint64_t low = LAYOUT_EBDA_START, res = 0x100000 - LAYOUT_EBDA_START;

	ck_assert_uint_eq(sizeof(struct e820_entry), 20);

	ck_assert_uint_eq(linux_e820_map(128 * MiB, e, 8), 3);
	expect_e820(e, 0, 0, low, E820_RAM);
	expect_e820(e, 1, LAYOUT_EBDA_START, res, E820_RESERVED);
	expect_e820(e, 2, MiB, 127 * MiB, E820_RAM);

	ck_assert_uint_eq(linux_e820_map(3 * GiB, e, 8), 3);
	expect_e820(e, 2, MiB, 3 * GiB - MiB, E820_RAM);

	ck_assert_uint_eq(linux_e820_map(4096 * MiB, e, 8), 4);
	expect_e820(e, 2, MiB, 3 * GiB - MiB, E820_RAM);
	expect_e820(e, 3, 4 * GiB, 1 * GiB, E820_RAM);

	ck_assert_uint_eq(linux_e820_map(3 * GiB + 4096, e, 8), 4);
	expect_e820(e, 3, 4 * GiB, 4096, E820_RAM);

	ck_assert_uint_eq(linux_e820_map(64 * GiB, e, 8), 4);
	expect_e820(e, 3, 4 * GiB, 61 * GiB, E820_RAM);

	/* tiny guests */
	ck_assert_uint_eq(linux_e820_map(0, e, 8), 1);
	expect_e820(e, 0, LAYOUT_EBDA_START, res, E820_RESERVED);
	ck_assert_uint_eq(linux_e820_map(64 * 1024, e, 8), 2);
	expect_e820(e, 0, 0, 64 * 1024, E820_RAM);
	ck_assert_uint_eq(linux_e820_map(MiB, e, 8), 2);
	expect_e820(e, 0, 0, low, E820_RAM);
	ck_assert_uint_eq(linux_e820_map(MiB + 4096, e, 8), 3);
	expect_e820(e, 2, MiB, 4096, E820_RAM);

	/* max bounds the output */
	ck_assert_uint_eq(linux_e820_map(4096 * MiB, e, 2), 2);
	ck_assert_uint_eq(linux_e820_map(4096 * MiB, e, 0), 0);
	ck_assert_uint_eq(linux_e820_map(4096 * MiB, NULL, 8), 0);

	/* absurd sizes do not wrap */
	ck_assert_uint_eq(linux_e820_map(UINT64_MAX, e, 8), 4);
	ck_assert_uint_eq(e[3].addr, 4 * GiB);
	ck_assert_uint_ge(e[3].addr + e[3].size, e[3].addr);
}
END_TEST

/* ---- initrd placement ---- */

START_TEST(test_initrd_addr)
{
	struct e820_entry e[8];
	unsigned int n;

	n = linux_e820_map(256 * MiB, e, 8);
	/* top of RAM, page aligned */
	ck_assert_uint_eq(linux_initrd_addr(e, n, 16 * MiB, 0x7fffffff, 64 * MiB),
			  240 * MiB);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 0x1001, 0x7fffffff, 64 * MiB),
			  256 * MiB - 0x2000);
	/* exactly fits above min_addr, one byte more does not */
	ck_assert_uint_eq(linux_initrd_addr(e, n, 192 * MiB, 0x7fffffff, 64 * MiB),
			  64 * MiB);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 192 * MiB + 1, 0x7fffffff,
					    64 * MiB), 0);
	/* min_addr not page aligned: the start stays at or above it */
	ck_assert_uint_eq(linux_initrd_addr(e, n, 192 * MiB - 4096, 0x7fffffff,
					    64 * MiB + 1), 64 * MiB + 4096);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 192 * MiB - 2048, 0x7fffffff,
					    64 * MiB + 1), 0);

	/* initrd_addr_max is the inclusive last byte */
	n = linux_e820_map(512 * MiB, e, 8);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 4096, 0x0fffffff, 64 * MiB),
			  0x0ffff000);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 4096, 0x0ffffffe, 64 * MiB),
			  0x0fffe000);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 4096, 0x10000fff, 64 * MiB),
			  0x10000000);

	/* RAM above 4 GiB is never used, nor the MMIO hole */
	n = linux_e820_map(8 * GiB, e, 8);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 32 * MiB, 0xffffffff, 64 * MiB),
			  3 * GiB - 32 * MiB);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 32 * MiB, 0x7fffffff, 64 * MiB),
			  2 * GiB - 32 * MiB);

	/* low RAM below the EBDA is used when nothing else fits */
	n = linux_e820_map(256 * MiB, e, 8);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 4096, 0x7fffffff, 0x1000),
			  256 * MiB - 4096);
	ck_assert_uint_eq(linux_initrd_addr(e, 1, 4096, 0x7fffffff, 0x1000),
			  0x9e000);

	/* no RAM, nothing, too big */
	{
		struct e820_entry r[2] = {
			{ 0, 16 * MiB, E820_RESERVED },
			{ 16 * MiB, 16 * MiB, E820_ACPI },
		};
		ck_assert_uint_eq(linux_initrd_addr(r, 2, 4096, 0x7fffffff, 0), 0);
	}
	ck_assert_uint_eq(linux_initrd_addr(e, n, 0, 0x7fffffff, 0), 0);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 8 * GiB, 0xffffffff, 0), 0);
	ck_assert_uint_eq(linux_initrd_addr(NULL, 3, 4096, 0x7fffffff, 0), 0);
	ck_assert_uint_eq(linux_initrd_addr(e, 0, 4096, 0x7fffffff, 0), 0);
	ck_assert_uint_eq(linux_initrd_addr(e, n, 4096, 0x7fffffff, UINT64_MAX), 0);

	/* hostile entries that wrap around */
	{
		struct e820_entry h[2] = {
			{ 0xfffffffffffff000ULL, 0x2000, E820_RAM },
			{ 0x100000, UINT64_MAX, E820_RAM },
		};
		ck_assert_uint_eq(linux_initrd_addr(h, 1, 4096, 0xffffffff, 0), 0);
		ck_assert_uint_eq(linux_initrd_addr(h, 2, 4096, 0xffffffff, 0),
				  0xfffff000);
	}
}
END_TEST

/* ---- a real kernel, when one is around ---- */

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n)) &&
	    fread(p, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

START_TEST(test_real_kernel)
{
	const char *cands[] = {
		getenv("KERNEL"),
		"/var/cache/minivmm-test/kernels/linux-image-6.1.0-56-cloud-amd64/boot/vmlinuz-6.1.0-56-cloud-amd64",
		"/var/cache/minivmm-test/kernels/linux-image-6.1.0-56-amd64/boot/vmlinuz-6.1.0-56-amd64",
	};
	static uint8_t zp[LINUX_ZERO_PAGE_SIZE];
	struct linux_setup_info si;
	struct e820_entry e[8];
	unsigned int i, n;
	int tried = 0;

	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		char why[256] = "";
		size_t size = 0;
		uint8_t *k = cands[i] ? slurp(cands[i], &size) : NULL;
		struct linux_boot_args args = { .cmdline_addr = LAYOUT_CMDLINE_ADDR,
						.cmdline_len = 100 };
		uint64_t min;

		if (!k)
			continue;
		tried++;
		ck_assert_msg(linux_parse_setup(k, size, &si, why, sizeof(why)) == 0,
			      "%s: %s", cands[i], why);
		ck_assert_uint_ge(si.protocol, 0x020c);
		ck_assert(si.xlf_kernel_64);
		ck_assert(si.relocatable);
		ck_assert_uint_ge(si.cmdline_size, 255);
		ck_assert_uint_ge(si.init_size, si.kernel_bytes);
		n = linux_e820_map(256 * MiB, e, 8);
		min = linux_kernel_load_addr(&si) + si.init_size;
		args.initrd_addr = linux_initrd_addr(e, n, 20 * MiB,
						     si.initrd_addr_max, min);
		args.initrd_size = 20 * MiB;
		ck_assert_uint_ge(args.initrd_addr, min);
		args.e820 = e;
		args.nr_e820 = n;
		ck_assert_int_eq(linux_build_boot_params(zp, k, size, &si, &args,
							 why, sizeof(why)), 0);
		ck_assert_mem_eq(zp + 0x202, "HdrS", 4);
		ck_assert_uint_eq(zp[0x210], 0xff);
		free(k);
	}
	if (!tried)
		fprintf(stderr, "linux_boot_test: no real bzImage found; "
			"the linux layer tests cover real kernels\n");
}
END_TEST

/* The release string -rootfs uses to find /lib/modules/RELEASE. */
START_TEST(test_kernel_release)
{
	static const char banner[] = "6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP";
	char rel[LINUX_RELEASE_MAX];
	glob_t g;

	make_image();
	ck_assert_uint_eq(linux_kernel_release(img, IMG_SIZE, rel, sizeof(rel)), 0);
	put16(img + 0x20e, 0x0400);			/* string at 0x600 */
	memcpy(img + 0x600, banner, sizeof(banner));
	ck_assert_uint_eq(linux_kernel_release(img, IMG_SIZE, rel, sizeof(rel)), 20);
	ck_assert_str_eq(rel, "6.1.0-57-cloud-amd64");
	/* too small a buffer, a truncated image: nothing */
	ck_assert_uint_eq(linux_kernel_release(img, IMG_SIZE, rel, 20), 0);
	ck_assert_uint_eq(linux_kernel_release(img, 0x610, rel, sizeof(rel)), 0);
	/* a string running past the setup sectors or with a '/': refused */
	put16(img + 0x20e, SETUP_BYTES - 0x200 - 4);
	memcpy(img + SETUP_BYTES - 4, "abcd", 4);
	ck_assert_uint_eq(linux_kernel_release(img, IMG_SIZE, rel, sizeof(rel)), 0);
	put16(img + 0x20e, 0x0400);
	memcpy(img + 0x600, "../etc ", 7);
	ck_assert_uint_eq(linux_kernel_release(img, IMG_SIZE, rel, sizeof(rel)), 0);
	memcpy(img + 0x600, ".. ", 3);
	ck_assert_uint_eq(linux_kernel_release(img, IMG_SIZE, rel, sizeof(rel)), 0);
	put16(img + 0x206, 0x01ff);			/* no kernel_version field */
	memcpy(img + 0x600, banner, sizeof(banner));
	ck_assert_uint_eq(linux_kernel_release(img, IMG_SIZE, rel, sizeof(rel)), 0);

	/* Debian's kernels of the test kit: vmlinuz-RELEASE */
	if (glob("/var/cache/minivmm-test/kernels/*/boot/vmlinuz-*", 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		size_t size = 0;
		uint8_t *k = slurp(g.gl_pathv[i], &size);

		ck_assert_ptr_nonnull(k);
		ck_assert_uint_gt(linux_kernel_release(k, size, rel, sizeof(rel)), 0);
		ck_assert_str_eq(rel, strstr(g.gl_pathv[i], "/vmlinuz-") + 9);
		free(k);
	}
	globfree(&g);
}
END_TEST

/* Initrds concatenated: the padding never runs past the room. */
START_TEST(test_initrd_next_exact)
{
	uint8_t area[32];

	memset(area, 0xAA, sizeof(area));
	/* 5 bytes used of 10: three zeros, the next one at 8. */
	ck_assert_int_eq(linux_initrd_next(area, 5, 10), 8);
	ck_assert_int_eq(area[5] | area[6] | area[7], 0);
	ck_assert_int_eq(area[8], 0xAA);
	ck_assert_int_eq(area[4], 0xAA);
	/* Aligned already: nothing written. */
	memset(area, 0xAA, sizeof(area));
	ck_assert_int_eq(linux_initrd_next(area, 8, 10), 8);
	for (size_t i = 0; i < sizeof(area); i++)
		ck_assert_int_eq(area[i], 0xAA);
	/* The first initrd ends 1..3 bytes short of the room's end: no
	 * room for another, and not one byte of padding past the room. */
	for (uint64_t used = 13; used <= 16; used++) {
		memset(area, 0xAA, sizeof(area));
		ck_assert_int_eq(linux_initrd_next(area, used, 16), -1);
		for (size_t i = 13; i < sizeof(area); i++)
			ck_assert_int_eq(area[i], 0xAA);
	}
	ck_assert_int_eq(linux_initrd_next(area, 9, 11), -1);
	ck_assert_int_eq(area[9] & area[10] & area[11], 0xAA);
	ck_assert_int_eq(linux_initrd_next(area, 20, 16), -1);
}
END_TEST

START_TEST(test_cmdline_finish)
{
	char buf[64];

	ck_assert_int_eq(linux_cmdline_finish(buf, sizeof(buf), "console=ttyS0"), 25);
	ck_assert_str_eq(buf, "console=ttyS0 reboot=acpi");
	ck_assert_int_eq(linux_cmdline_finish(buf, sizeof(buf), ""), 11);
	ck_assert_str_eq(buf, "reboot=acpi");
	/* The user's own reboot= word wins, at the start or after a tab. */
	ck_assert_int_eq(linux_cmdline_finish(buf, sizeof(buf), "reboot=k x"), 10);
	ck_assert_str_eq(buf, "reboot=k x");
	ck_assert_int_eq(linux_cmdline_finish(buf, sizeof(buf), "a\treboot=t"), 10);
	ck_assert_str_eq(buf, "a\treboot=t");
	/* Only a whole word counts. */
	linux_cmdline_finish(buf, sizeof(buf), "noreboot=1");
	ck_assert_str_eq(buf, "noreboot=1 reboot=acpi");
	/* Exact fit and one byte short. */
	ck_assert_int_eq(linux_cmdline_finish(buf, 26, "console=ttyS0"), 25);
	ck_assert_int_eq(linux_cmdline_finish(buf, 25, "console=ttyS0"), -1);
	ck_assert_int_eq(linux_cmdline_finish(buf, 0, ""), -1);
}
END_TEST

static Suite *linux_boot_suite(void)
{
	Suite *s = suite_create("linux_boot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_parse_every_truncation);
	tcase_add_test(tc, test_parse_garbage);
	tcase_add_test(tc, test_zero_page);
	tcase_add_test(tc, test_zero_page_high_and_limits);
	tcase_add_test(tc, test_e820);
	tcase_add_test(tc, test_initrd_addr);
	tcase_add_test(tc, test_real_kernel);
	tcase_add_test(tc, test_cmdline_finish);
	tcase_add_test(tc, test_kernel_release);
	tcase_add_test(tc, test_initrd_next_exact);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(linux_boot_suite());
}
