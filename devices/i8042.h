/* SPDX-License-Identifier: MIT */
/*
 * The bare minimum of an i8042 keyboard controller at ports 0x60-0x64:
 * the CPU reset line (command 0xFE) and a status register that makes
 * Linux's probe give up at once.  Register it with base PORT_I8042_DATA
 * and length I8042_NR_PORTS.
 */
#ifndef MINIVMM_I8042_H
#define MINIVMM_I8042_H

#include <stdint.h>

#include "devices/guest_event.h"

#define I8042_NR_PORTS		5	/* 0x60..0x64 */

struct i8042 {
	/* private */
	guest_event_fn event;	/* may be NULL */
	void *opaque;
};

void i8042_init(struct i8042 *k, guest_event_fn event, void *opaque);
/* bus_read_fn / bus_write_fn; offset 0 = port 0x60, 4 = port 0x64. */
void i8042_pio_read(void *opaque, uint64_t offset, void *data,
		    uint32_t size);
void i8042_pio_write(void *opaque, uint64_t offset, const void *data,
		     uint32_t size);

#endif
