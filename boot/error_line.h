/* SPDX-License-Identifier: MIT */
/*
 * The error convention (vmm/log.h, docs/architecture.md) in freestanding
 * code: a parser that fails returns -1 and copies its reason, one line,
 * into the caller's char *err, size_t errlen.  No libc here (the firmware
 * compiles the same files), so this copies instead of formatting.
 */
#ifndef MINIVMM_ERROR_LINE_H
#define MINIVMM_ERROR_LINE_H

#include <stddef.h>

/* Copy reason into err (cut to errlen - 1 bytes); err may be NULL.  -1. */
static inline int error_line(char *err, size_t errlen, const char *reason)
{
	size_t i = 0;

	if (!err || !errlen)
		return -1;
	for (; reason[i] && i + 1 < errlen; i++)
		err[i] = reason[i];
	err[i] = '\0';
	return -1;
}

#endif
