// SPDX-License-Identifier: MIT
#include "tests/guest/lib/guest_checksum.h"

void fletcher64_words(struct fletcher64 *f, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t a = f->a, b = f->b, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		__builtin_memcpy(&w, p + i, 8);
		a += w;
		b += a;
	}
	if (i < len) {
		w = 0;
		for (size_t k = 0; i + k < len; k++)
			w |= (uint64_t)p[i + k] << (8 * k);
		a += w;
		b += a;
	}
	f->a = a;
	f->b = b;
}

uint8_t acpi_byte_sum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint8_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return sum;
}
