// SPDX-License-Identifier: MIT
/*
 * virtio-blk behind its virtio-mmio transport, with the real I/O thread
 * and a 64 KiB image: fuzzed bring-up, register pokes, rings and requests
 * (headers, sectors, discard/write-zeroes ranges, GET_ID) in guest RAM.
 * Oracles: ASan/UBSan, the device stays answerable (magic value) and the
 * image never grows (no write past its end).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/virtio_blk.h"
#include "tests/fuzz/fuzz_virtio_driver.h"

#define FUZZ_IMG_SIZE	(64 * 1024)

static struct fake_virtio_host fuzz_h;
static struct virtio_blk *fuzz_blk;
static int fuzz_img_fd = -1;

static void fuzz_blk_setup(void)
{
	static char path[] = "/tmp/minivmm-fuzz-blk-XXXXXX";
	struct drive_config dc = { .cache = DRIVE_CACHE_UNSAFE,
				   .serial = "fuzz-serial-0123456789" };
	char err[256];

	fake_virtio_host_init(&fuzz_h, FUZZ_RAM_SIZE, FUZZ_SLOT);
	fuzz_img_fd = mkstemp(path);
	if (fuzz_img_fd < 0 || ftruncate(fuzz_img_fd, FUZZ_IMG_SIZE) < 0)
		abort();
	dc.path = path;
	if (virtio_blk_create(&fuzz_blk, &fuzz_h.ops, &fuzz_h.mem,
			      FAKE_WINDOW(FUZZ_SLOT), &dc, err, sizeof(err)) ||
	    virtio_blk_start(fuzz_blk, NULL)) {
		fprintf(stderr, "fuzz_virtio_blk: %s\n", err);
		abort();
	}
	/* The device keeps its descriptor; the name can go. */
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct stat st;

	if (!fuzz_blk)
		fuzz_blk_setup();
	(void)fuzz_driver_up(&fuzz_h, &in, 1);
	fuzz_fill_ram(&fuzz_h, &in);
	fuzz_kick_and_reset(&fuzz_h, 1);
	assert(fake_virtio_rd(&fuzz_h, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC);
	assert(fake_virtio_rd(&fuzz_h, VIRTIO_MMIO_STATUS) == 0);
	assert(fstat(fuzz_img_fd, &st) == 0 && st.st_size == FUZZ_IMG_SIZE);
	return 0;
}
