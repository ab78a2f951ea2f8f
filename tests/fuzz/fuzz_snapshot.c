// SPDX-License-Identifier: MIT
/*
 * The snapshot file parser (vmm/snapshot_format.c) on a fuzzed file: the
 * input is the whole file (state part and RAM), as -restore would read
 * it.  A file that parses has its RAM range inside the input (what
 * -restore maps), and every section is then walked as a stream of blobs
 * the way the loaders read it.  Oracles: ASan/UBSan, and the RAM range
 * check below (a parsed file can never make -restore map beyond its end).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/state_stream.h"
#include "vmm/snapshot_format.h"

static struct snap_index idx;

static void fuzz_walk_section(const uint8_t *p, uint64_t size)
{
	struct state_reader r;
	uint32_t n;

	state_reader_init(&r, p, size);
	while (!r.bad && r.off < r.len)
		state_get_blob_ref(&r, STATE_STREAM_MAX, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	uint64_t meta = snap_meta_size(data, size);
	/* -restore reads meta bytes (if the header asks for sane ones) */
	size_t len = meta && meta <= size ? meta : size;

	if (snap_parse(&idx, data, len, size, err, sizeof(err)))
		return 0;
	assert(idx.hdr.mem_offset % SNAP_PAGE_SIZE == 0);
	assert(idx.hdr.mem_offset + idx.hdr.mem_size <= size);
	assert(idx.hdr.mem_offset >= idx.hdr.meta_size);
	for (unsigned int i = 0; i < idx.nr; i++) {
		uint64_t n;
		const uint8_t *p = snap_find(&idx, idx.sec[i].name,
					     idx.sec[i].instance, &n);

		assert(p && p >= data && p + n <= data + len);
		fuzz_walk_section(p, n);
	}
	return 0;
}
