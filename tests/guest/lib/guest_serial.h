/* SPDX-License-Identifier: MIT */
/*
 * Polled output on COM1 (16550A).  No interrupts: the guests print, act
 * and stop.
 */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include <stddef.h>

void serial_init(void);
void serial_write(const char *s, size_t len);

#endif
