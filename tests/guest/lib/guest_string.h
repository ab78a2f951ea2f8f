/* SPDX-License-Identifier: MIT */
/*
 * Memory and string helpers for freestanding guests.  memcpy/memset/
 * memmove/memcmp carry their standard names because the compiler may emit
 * calls to them for structure copies.
 */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <stdbool.h>
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Length of s, at most max (no terminator needed within max bytes). */
size_t guest_strnlen(const char *s, size_t max);
size_t guest_strlen(const char *s);
int guest_strncmp(const char *a, const char *b, size_t n);

/*
 * Find the value of a "key=value" word in a command line of len bytes.
 * Words are separated by blanks; a value ends at the next blank.  Returns
 * a pointer to the value (not terminated) and its length, or NULL.
 */
const char *guest_cmdline_value(const char *cmdline, size_t len,
				const char *key, size_t *vlen);
/* True when the len bytes at s equal the C string word. */
bool guest_word_eq(const char *s, size_t len, const char *word);

#endif
