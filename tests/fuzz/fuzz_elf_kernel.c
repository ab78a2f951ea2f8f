// SPDX-License-Identifier: MIT
/*
 * The ELF kernel parser (-kernel vmlinux) and the PVH start-info and
 * synthesized zero-page builders on hostile images: nothing is read
 * outside the image, an accepted image is consistent (segments inside
 * the file, entries inside a segment), and the builders stay in their page.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/elf_kernel.h"
#include "boot/linux_boot.h"
#include "boot/pvh.h"

#define FUZZ_PAGE 4096

static void fuzz_check_segments(const struct elf_kernel_info *info, size_t size)
{
	assert(info->nr_segments > 0 && info->nr_segments <= ELF_KERNEL_MAX_SEGMENTS);
	for (unsigned int i = 0; i < info->nr_segments; i++) {
		const struct elf_kernel_segment *s = &info->seg[i];

		assert(s->filesz <= s->memsz);
		assert(s->offset <= size && s->filesz <= size - s->offset);
		assert(s->paddr >= info->lowest && s->paddr + s->memsz <= info->highest);
	}
}

static void fuzz_build_boot_info(const struct elf_kernel_info *info, size_t size)
{
	struct e820_entry e820[8];
	unsigned int nr = linux_e820_map(256ULL << 20, e820, 8);
	uint8_t hdr[LINUX_SETUP_HEADER_BYTES];
	struct linux_setup_info synth;
	char why[256] = "";
	uint8_t *page = malloc(FUZZ_PAGE);
	struct pvh_boot_args pvh = {
		.cmdline_addr = 0x20000,
		.initrd_addr = 0x2000000,
		.initrd_size = size,
		.rsdp_addr = 0xe0000,
		.e820 = e820,
		.nr_e820 = nr,
	};
	struct linux_boot_args args = {
		.cmdline_addr = 0x20000,
		.cmdline_len = size & 0x7ff,
		.initrd_addr = 0x2000000,
		.initrd_size = size,
		.rsdp_addr = 0xe0000,
		.e820 = e820,
		.nr_e820 = nr,
	};

	assert(pvh_build_start_info(page, FUZZ_PAGE, 0x10000, &pvh, why, sizeof(why)) == 0);
	linux_synth_setup_header(hdr, info->lowest, info->highest - info->lowest,
				 2047, &synth);
	assert(linux_build_boot_params(page, hdr, sizeof(hdr), &synth, &args, why, sizeof(why)) == 0);
	free(page);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_kernel_info info;
	char why[256] = "";
	uint8_t *image;

	/* A private copy sized exactly: ASan sees every overread. */
	image = malloc(size ? size : 1);
	memcpy(image, data, size);
	if (elf_kernel_parse(image, size, &info, why, sizeof(why)) == 0) {
		fuzz_check_segments(&info, size);
		fuzz_build_boot_info(&info, size);
	} else {
		assert(why[0]);
	}
	free(image);
	return 0;
}
