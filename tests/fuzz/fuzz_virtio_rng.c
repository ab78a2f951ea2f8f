// SPDX-License-Identifier: MIT
/*
 * virtio-rng behind its virtio-mmio transport, with the real I/O thread:
 * fuzzed bring-up, register pokes and rings in guest RAM (buffers of any
 * length and direction, out of RAM, chains that loop).  Oracles:
 * ASan/UBSan (no write outside guest RAM) and the device stays answerable.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "devices/virtio_rng.h"
#include "tests/fuzz/fuzz_virtio_driver.h"

static struct fake_virtio_host fuzz_h;
static struct virtio_rng *fuzz_rng;

static void fuzz_rng_setup(void)
{
	char err[256];

	fake_virtio_host_init(&fuzz_h, FUZZ_RAM_SIZE, FUZZ_SLOT);
	if (virtio_rng_create(&fuzz_rng, &fuzz_h.ops, &fuzz_h.mem, FAKE_WINDOW(FUZZ_SLOT),
			      err, sizeof(err))) {
		fprintf(stderr, "fuzz_virtio_rng: %s\n", err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	if (!fuzz_rng)
		fuzz_rng_setup();
	(void)fuzz_driver_up(&fuzz_h, &in, 1);
	fuzz_fill_ram(&fuzz_h, &in);
	fuzz_kick_and_reset(&fuzz_h, 1);
	assert(fake_virtio_rd(&fuzz_h, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC);
	assert(fake_virtio_rd(&fuzz_h, VIRTIO_MMIO_STATUS) == 0);
	return 0;
}
