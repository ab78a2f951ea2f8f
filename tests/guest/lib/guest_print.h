/* SPDX-License-Identifier: MIT */
/*
 * A small printf for the test guests, writing to COM1.
 * Conversions: %s %.*s %c %d %u %x %% with optional '0', width and the
 * length modifiers l, ll, z.  Output is buffered per call, so one call is
 * one burst on the serial port.
 */
#ifndef GUEST_PRINT_H
#define GUEST_PRINT_H

#include <stddef.h>
#include <stdint.h>

__attribute__((format(printf, 1, 2)))
void guest_printf(const char *fmt, ...);

/*
 * Format into buf (size > 0, always terminated); returns the length
 * written.  ap is a __builtin_va_list.
 */
size_t guest_vsnprintf(char *buf, size_t size, const char *fmt,
		       __builtin_va_list ap);

#endif
