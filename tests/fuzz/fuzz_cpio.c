// SPDX-License-Identifier: MIT
/*
 * The cpio writer with hostile names, sizes and a buffer that is too
 * small: it never writes past cap, counts exactly what a real write
 * produces, and keeps every entry 4-byte aligned.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cpio.h"
#include "tests/fuzz/fuzz_input.h"

static void build(struct cpio_writer *w, struct fuzz_input in)
{
	char name[UINT8_MAX + 1];	/* any namelen fits, with its NUL */

	while (in.left) {
		uint8_t kind = fuzz_u8(&in);
		uint8_t namelen = fuzz_u8(&in);
		uint16_t size;

		fuzz_take(&in, name, namelen);
		name[namelen] = 0;
		fuzz_take(&in, &size, sizeof(size));
		size = (uint16_t)(size < in.left ? size : in.left);
		cpio_add(w, name, (uint32_t)kind << 12 | 0644, in.p, size,
			 kind, namelen);
		in.p += size;
		in.left -= size;
		assert(w->overflow || w->len % 4 == 0);
	}
	cpio_finish(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct cpio_writer count = CPIO_WRITER_INIT(NULL, 0);
	struct cpio_writer w;
	size_t cap;
	uint8_t *buf;

	if (size < 2)
		return 0;
	cap = data[0] | (size_t)data[1] << 8;
	in.p += 2;
	in.left -= 2;
	build(&count, in);
	assert(count.len % 4 == 0);
	buf = malloc(cap ? cap : 1);	/* exact: ASan sees an overrun */
	w = CPIO_WRITER_INIT(buf, cap);
	build(&w, in);
	assert(w.len <= cap);
	if (!w.overflow)
		assert(w.len == count.len);
	free(buf);
	return 0;
}
