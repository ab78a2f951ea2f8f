// SPDX-License-Identifier: MIT
/*
 * Linux x86 boot protocol: setup header parsing, zero page, e820, initrd
 * placement.  Offsets follow Documentation/arch/x86/boot.rst; the image and
 * every number in it are untrusted.  Freestanding.
 */
#include "boot/linux_boot.h"
#include "boot/error_line.h"
#include "boot/layout.h"

/* setup header fields, as offsets into the image and the zero page */
#define HDR_START		0x1f1
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_KERNEL_VERSION	0x20e
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
/* struct boot_params ends the setup header area here */
#define HDR_AREA_END		0x290

/* boot_params fields outside the setup header */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128

#define BOOT_FLAG_MAGIC		0xAA55
#define HDRS_MAGIC		0x53726448	/* "HdrS" */
#define LOADED_HIGH		0x01
#define CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01
#define LOADER_UNDEFINED	0xff
/* Heap end as other loaders set it for a setup segment of 64 KiB. */
#define HEAP_END_PTR		0xfe00

#define PROTO_KERNEL_VERSION	0x0200	/* kernel_version */
#define PROTO_MIN		0x0206	/* cmdline_size */
#define PROTO_XLOADFLAGS	0x020c	/* xloadflags (XLF_KERNEL_64) */
#define PROTO_PREF_ADDRESS	0x020a	/* pref_address, init_size */

#define SZ_1M			0x100000ULL
#define SZ_4G			0x100000000ULL
#define PAGE_MASK_4K		0xfffULL

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)v);
	wr16(p + 2, (uint16_t)(v >> 16));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* End of the setup header: the jump at 0x200 skips exactly over it. */
static size_t linux_hdr_end(const uint8_t *img)
{
	return 0x202 + (size_t)img[HDR_JUMP + 1];
}

static int linux_fail(char *err, size_t errlen, const char *reason)
{
	return error_line(err, errlen, reason);
}

int linux_parse_setup(const void *image, size_t size,
		      struct linux_setup_info *info, char *err, size_t errlen)
{
	const uint8_t *img = image;
	struct linux_setup_info si = { 0 };
	size_t hdr_end;
	uint32_t sects, syssize;

	if (!img || !info)
		return linux_fail(err, errlen, "no kernel image");
	if (size < HDR_VERSION + 2)
		return linux_fail(err, errlen, "truncated: image is shorter than a setup header");
	if (rd32(img + HDR_MAGIC) != HDRS_MAGIC)
		return linux_fail(err, errlen, "not a bzImage (no HdrS magic)");
	if (rd16(img + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		return linux_fail(err, errlen, "not a bzImage (no 0xAA55 boot flag)");
	si.protocol = rd16(img + HDR_VERSION);
	if (si.protocol < PROTO_MIN)
		return linux_fail(err, errlen, "boot protocol is older than 2.06");
	if (img[HDR_JUMP] != 0xeb)
		return linux_fail(err, errlen, "not a bzImage (no short jump at 0x200)");
	hdr_end = linux_hdr_end(img);
	if (hdr_end > HDR_AREA_END)
		return linux_fail(err, errlen, "setup header is longer than boot_params allows");
	if (hdr_end < HDR_CMDLINE_SIZE + 4 ||
	    (si.protocol >= PROTO_PREF_ADDRESS && hdr_end < HDR_INIT_SIZE + 4))
		return linux_fail(err, errlen, "setup header is too short for its protocol version");
	if (size < hdr_end)
		return linux_fail(err, errlen, "truncated: image is shorter than its setup header");

	sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	si.setup_bytes = (sects + 1) * 512;
	if (size <= si.setup_bytes)
		return linux_fail(err, errlen, "truncated: no protected-mode kernel after the setup sectors");
	si.kernel_bytes = size - si.setup_bytes;
	syssize = rd32(img + HDR_SYSSIZE);
	if ((uint64_t)syssize * 16 > si.kernel_bytes)
		return linux_fail(err, errlen, "truncated: protected-mode kernel is shorter than syssize");

	si.xlf_kernel_64 = si.protocol >= PROTO_XLOADFLAGS &&
			   (rd16(img + HDR_XLOADFLAGS) & XLF_KERNEL_64);
	if (!si.xlf_kernel_64)
		return linux_fail(err, errlen, "no 64-bit entry point (XLF_KERNEL_64)");
	if (!(img[HDR_LOADFLAGS] & LOADED_HIGH))
		return linux_fail(err, errlen, "kernel is not a bzImage (LOADED_HIGH clear)");

	si.relocatable = img[HDR_RELOCATABLE] != 0;
	si.kernel_alignment = rd32(img + HDR_KERNEL_ALIGNMENT);
	if (si.relocatable && (si.kernel_alignment == 0 ||
			       (si.kernel_alignment & (si.kernel_alignment - 1))))
		return linux_fail(err, errlen, "kernel_alignment is not a power of two");
	si.initrd_addr_max = rd32(img + HDR_INITRD_ADDR_MAX);
	si.cmdline_size = rd32(img + HDR_CMDLINE_SIZE);
	si.pref_address = SZ_1M;
	if (si.protocol >= PROTO_PREF_ADDRESS) {
		si.pref_address = rd64(img + HDR_PREF_ADDRESS);
		si.init_size = rd32(img + HDR_INIT_SIZE);
	}
	if (si.init_size < si.kernel_bytes)
		si.init_size = si.kernel_bytes > UINT32_MAX ? UINT32_MAX :
			       (uint32_t)si.kernel_bytes;
	/* The kernel must fit in low RAM, below the 32-bit MMIO hole. */
	if (si.pref_address < SZ_1M)
		return linux_fail(err, errlen, "kernel load address is below 1 MiB");
	if (si.pref_address > LAYOUT_MMIO_HOLE_START ||
	    si.init_size > LAYOUT_MMIO_HOLE_START - si.pref_address)
		return linux_fail(err, errlen, "kernel does not fit below the 3 GiB MMIO hole");

	*info = si;
	return 0;
}

uint64_t linux_kernel_load_addr(const struct linux_setup_info *info)
{
	if (info->protocol >= PROTO_PREF_ADDRESS)
		return info->pref_address;
	return SZ_1M;
}

static unsigned int e820_add(struct e820_entry *out, unsigned int n,
			     unsigned int max, uint64_t addr, uint64_t size,
			     uint32_t type)
{
	if (n >= max || size == 0)
		return n;
	out[n].addr = addr;
	out[n].size = size;
	out[n].type = type;
	return n + 1;
}

unsigned int linux_e820_map(uint64_t ram_bytes, struct e820_entry *out,
			    unsigned int max)
{
	uint64_t low_end, high;
	unsigned int n = 0;

	if (!out)
		return 0;
	low_end = ram_bytes < LAYOUT_EBDA_START ? ram_bytes : LAYOUT_EBDA_START;
	n = e820_add(out, n, max, 0, low_end, E820_RAM);
	/* EBDA, legacy video/ROM area and the ACPI tables at 0xE0000. */
	n = e820_add(out, n, max, LAYOUT_EBDA_START,
		     LAYOUT_HIGH_RAM_START - LAYOUT_EBDA_START, E820_RESERVED);
	if (ram_bytes > LAYOUT_HIGH_RAM_START) {
		uint64_t end = ram_bytes < LAYOUT_MMIO_HOLE_START ?
			       ram_bytes : LAYOUT_MMIO_HOLE_START;
		n = e820_add(out, n, max, LAYOUT_HIGH_RAM_START,
			     end - LAYOUT_HIGH_RAM_START, E820_RAM);
	}
	if (ram_bytes > LAYOUT_MMIO_HOLE_START) {
		/* RAM that would sit in the hole is moved above 4 GiB. */
		high = ram_bytes - LAYOUT_MMIO_HOLE_START;
		if (high > UINT64_MAX - LAYOUT_MMIO_HOLE_END)
			high = UINT64_MAX - LAYOUT_MMIO_HOLE_END;
		n = e820_add(out, n, max, LAYOUT_MMIO_HOLE_END, high, E820_RAM);
	}
	return n;
}

int linux_build_boot_params(void *zero_page, const void *image,
			    size_t image_size,
			    const struct linux_setup_info *info,
			    const struct linux_boot_args *args,
			    char *err, size_t errlen)
{
	uint8_t *bp = zero_page;
	const uint8_t *img = image;
	size_t hdr_end;
	unsigned int i;

	if (!bp || !img || !info || !args)
		return linux_fail(err, errlen, "missing boot parameters");
	if (image_size < HDR_JUMP + 2)
		return linux_fail(err, errlen, "truncated: image is shorter than a setup header");
	hdr_end = linux_hdr_end(img);
	if (hdr_end > HDR_AREA_END || image_size < hdr_end)
		return linux_fail(err, errlen, "setup header is out of range");
	if (args->cmdline_len > info->cmdline_size)
		return linux_fail(err, errlen, "kernel command line is longer than the kernel accepts (cmdline_size)");
	if (args->nr_e820 > BP_E820_MAX || (args->nr_e820 && !args->e820))
		return linux_fail(err, errlen, "e820 map has more than 128 entries");

	__builtin_memset(bp, 0, LINUX_ZERO_PAGE_SIZE);
	__builtin_memcpy(bp + HDR_START, img + HDR_START, hdr_end - HDR_START);

	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] |= LOADED_HIGH | CAN_USE_HEAP;
	wr16(bp + HDR_HEAP_END_PTR, HEAP_END_PTR);

	wr32(bp + HDR_CMD_LINE_PTR, (uint32_t)args->cmdline_addr);
	wr32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(args->cmdline_addr >> 32));
	wr32(bp + HDR_RAMDISK_IMAGE, (uint32_t)args->initrd_addr);
	wr32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(args->initrd_addr >> 32));
	wr32(bp + HDR_RAMDISK_SIZE, (uint32_t)args->initrd_size);
	wr32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(args->initrd_size >> 32));
	wr64(bp + BP_ACPI_RSDP_ADDR, args->rsdp_addr);

	bp[BP_E820_ENTRIES] = (uint8_t)args->nr_e820;
	for (i = 0; i < args->nr_e820; i++) {
		uint8_t *e = bp + BP_E820_TABLE + i * 20;

		wr64(e, args->e820[i].addr);
		wr64(e + 8, args->e820[i].size);
		wr32(e + 16, args->e820[i].type);
	}
	return 0;
}

void linux_synth_setup_header(uint8_t hdr[LINUX_SETUP_HEADER_BYTES],
			      uint64_t load_addr, uint64_t kernel_bytes,
			      uint32_t cmdline_size,
			      struct linux_setup_info *info)
{
	const uint32_t initrd_addr_max = 0x7fffffff;	/* the 2.03+ default */
	const uint16_t protocol = 0x020f;

	__builtin_memset(hdr, 0, LINUX_SETUP_HEADER_BYTES);
	wr16(hdr + HDR_BOOT_FLAG, BOOT_FLAG_MAGIC);
	hdr[HDR_JUMP] = 0xeb;
	hdr[HDR_JUMP + 1] = HDR_INIT_SIZE + 4 - 0x202;	/* header up to init_size */
	wr32(hdr + HDR_MAGIC, HDRS_MAGIC);
	wr16(hdr + HDR_VERSION, protocol);
	wr32(hdr + HDR_INITRD_ADDR_MAX, initrd_addr_max);
	wr16(hdr + HDR_XLOADFLAGS, XLF_KERNEL_64);
	wr32(hdr + HDR_CMDLINE_SIZE, cmdline_size);
	wr64(hdr + HDR_PREF_ADDRESS, load_addr);
	*info = (struct linux_setup_info){
		.protocol = protocol,
		.kernel_bytes = kernel_bytes,
		.pref_address = load_addr,
		.init_size = (uint32_t)kernel_bytes,
		.initrd_addr_max = initrd_addr_max,
		.cmdline_size = cmdline_size,
		.xlf_kernel_64 = true,
	};
}

uint64_t linux_initrd_addr(const struct e820_entry *e820, unsigned int nr,
			   uint64_t size, uint32_t initrd_addr_max,
			   uint64_t min_addr)
{
	uint64_t limit = (uint64_t)initrd_addr_max + 1;	/* exclusive end */
	uint64_t best = 0;
	unsigned int i;

	if (!e820 || size == 0)
		return 0;
	if (limit > SZ_4G)
		limit = SZ_4G;
	for (i = 0; i < nr; i++) {
		uint64_t lo = e820[i].addr, hi, start;

		if (e820[i].type != E820_RAM)
			continue;
		hi = e820[i].size > UINT64_MAX - lo ? UINT64_MAX :
		     lo + e820[i].size;
		if (hi > limit)
			hi = limit;
		if (lo < min_addr)
			lo = min_addr;
		if (hi <= lo || hi - lo < size)
			continue;
		start = (hi - size) & ~PAGE_MASK_4K;
		if (start >= lo && start > best)
			best = start;
	}
	return best;
}

/* Does the command line have a word that starts with key (e.g. "reboot=")? */
static bool linux_cmdline_has_key(const char *cmdline, const char *key)
{
	bool word_start = true;

	for (const char *p = cmdline; *p; p++) {
		if (word_start) {
			size_t i = 0;

			while (key[i] && p[i] == key[i])
				i++;
			if (!key[i])
				return true;
		}
		word_start = (*p == ' ' || *p == '\t');
	}
	return false;
}

int64_t linux_initrd_next(uint8_t *area, uint64_t used, uint64_t room)
{
	uint64_t next = (used + 3) & ~3ull;

	if (used > room || next >= room)
		return -1;
	while (used < next)
		area[used++] = 0;
	return (int64_t)next;
}

long linux_cmdline_finish(char *dst, size_t cap, const char *cmdline)
{
	const char *extra = linux_cmdline_has_key(cmdline, "reboot=") ?
			    "" : LINUX_CMDLINE_DEFAULTS;
	size_t n = 0;

	if (!*cmdline && *extra)
		extra++;	/* no leading blank on an empty command line */
	for (const char *p = cmdline; *p; p++) {
		if (n + 1 >= cap)
			return -1;
		dst[n++] = *p;
	}
	for (const char *p = extra; *p; p++) {
		if (n + 1 >= cap)
			return -1;
		dst[n++] = *p;
	}
	if (n >= cap)
		return -1;
	dst[n] = '\0';
	return (long)n;
}

/*
 * kernel_version holds the string's offset minus 0x200; the string lies in
 * the setup sectors.  A release is printable and has no '/' (it names a
 * directory under /lib/modules).
 */
size_t linux_kernel_release(const void *image, size_t size, char *out,
			    size_t cap)
{
	const uint8_t *img = image;
	size_t at, n = 0, setup_end;
	uint32_t sects;

	if (out && cap)
		out[0] = 0;
	if (!img || !out || !cap || size < HDR_KERNEL_VERSION + 2 ||
	    rd32(img + HDR_MAGIC) != HDRS_MAGIC ||
	    rd16(img + HDR_VERSION) < PROTO_KERNEL_VERSION ||
	    !rd16(img + HDR_KERNEL_VERSION))
		return 0;
	sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	setup_end = (sects + 1) * 512;
	if (setup_end > size)
		setup_end = size;
	at = 0x200 + (size_t)rd16(img + HDR_KERNEL_VERSION);
	while (at + n < setup_end && img[at + n] > ' ' && img[at + n] < 0x7f &&
	       img[at + n] != '/') {
		if (n + 1 >= cap) {
			out[0] = 0;
			return 0;
		}
		out[n] = (char)img[at + n];
		n++;
	}
	/* The word must end inside the setup area (space or NUL). */
	if (at + n >= setup_end || (img[at + n] != ' ' && img[at + n] != 0))
		n = 0;
	if ((n == 1 && out[0] == '.') || (n == 2 && out[0] == '.' && out[1] == '.'))
		n = 0;
	out[n] = 0;
	return n;
}
