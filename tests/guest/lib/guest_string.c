// SPDX-License-Identifier: MIT
/*
 * String and command-line helpers.  memcpy/memmove/memset/memcmp are the
 * firmware's (boot/firmware/libc.c), which every test guest links too.
 */
#include "tests/guest/lib/guest_string.h"

#include <stdint.h>

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
