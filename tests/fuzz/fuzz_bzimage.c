// SPDX-License-Identifier: MIT
/*
 * The bzImage setup-header parser and the boot_params builder on hostile
 * images: whatever the header says, nothing is read outside the image or
 * written outside the zero page, and an accepted header is consistent.
 * The release string (-rootfs) stays inside the image and its buffer.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/linux_boot.h"

#define FUZZ_ZERO_PAGE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linux_setup_info info;
	struct e820_entry e820[8];
	char why[256] = "";
	uint8_t *image, *zp;
	unsigned int nr;

	/* A private copy sized exactly: ASan sees every overread. */
	image = malloc(size ? size : 1);
	memcpy(image, data, size);
	{
		char rel[LINUX_RELEASE_MAX];
		size_t n = linux_kernel_release(image, size, rel, sizeof(rel));

		assert(n < sizeof(rel) && strlen(rel) == n && !strchr(rel, '/'));
	}
	if (linux_parse_setup(image, size, &info, why, sizeof(why)) == 0) {
		assert(info.setup_bytes <= size);
		assert(info.kernel_bytes == size - info.setup_bytes);
		assert(info.init_size >= info.kernel_bytes);
		(void)linux_kernel_load_addr(&info);
		nr = linux_e820_map(256ULL << 20, e820, 8);
		assert(nr <= 8);

		struct linux_boot_args args = {
			.cmdline_addr = 0x20000,
			.cmdline_len = size & 0xfff,
			.initrd_addr = 0x1000000,
			.initrd_size = size,
			.rsdp_addr = 0xe0000,
			.e820 = e820,
			.nr_e820 = nr,
		};

		zp = malloc(FUZZ_ZERO_PAGE);
		(void)linux_build_boot_params(zp, image, size, &info, &args, why, sizeof(why));
		(void)linux_initrd_addr(e820, nr, size, info.initrd_addr_max,
					linux_kernel_load_addr(&info) +
					info.init_size);
		free(zp);
	} else {
		assert(why[0]);
	}
	free(image);
	return 0;
}
