// SPDX-License-Identifier: MIT
/*
 * Memory and string helpers.  Bulk copies use rep movsq/stosq: guest code
 * is emulated on some KVMs, where one string instruction beats a loop.
 */
#include "tests/guest/lib/guest_string.h"

#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(r) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards, bytewise. */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std; rep movsb; cld"
			 : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	uint64_t v = (uint8_t)c * 0x0101010101010101ULL;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t guest_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

size_t guest_strlen(const char *s)
{
	return guest_strnlen(s, SIZE_MAX);
}

int guest_strncmp(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (uint8_t)a[i] < (uint8_t)b[i] ? -1 : 1;
		if (!a[i])
			break;
	}
	return 0;
}

bool guest_word_eq(const char *s, size_t len, const char *word)
{
	return guest_strnlen(word, len + 1) == len && !memcmp(s, word, len);
}

static bool guest_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *guest_cmdline_value(const char *cmdline, size_t len,
				const char *key, size_t *vlen)
{
	size_t klen = guest_strlen(key), i = 0, start, end;

	while (i < len) {
		while (i < len && guest_is_blank(cmdline[i]))
			i++;
		start = i;
		while (i < len && !guest_is_blank(cmdline[i]))
			i++;
		end = i;
		if (end - start > klen && cmdline[start + klen] == '=' &&
		    !memcmp(cmdline + start, key, klen)) {
			*vlen = end - start - klen - 1;
			return cmdline + start + klen + 1;
		}
	}
	return NULL;
}
