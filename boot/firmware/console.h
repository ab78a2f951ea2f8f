/* SPDX-License-Identifier: MIT */
/* Serial console output: one 16550 port, polled, and a tiny printf. */
#ifndef MINIVMM_FW_CONSOLE_H
#define MINIVMM_FW_CONSOLE_H

#include <stdint.h>

void console_init(uint16_t port);
void console_write(const char *s, unsigned long len);
/* %s %c %d %u %x, l/ll variants, %%. */
void fw_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
