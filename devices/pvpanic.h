/* SPDX-License-Identifier: MIT */
/*
 * pvpanic: one I/O port (QEMU's pvpanic ISA port, 0x505) the guest kernel
 * writes when it panics.  Described in the DSDT with _HID "QEMU0001" and
 * an IO resource, so Linux's pvpanic-mmio driver binds to it.  Reading
 * the port gives the events offered (PVPANIC_PANICKED |
 * PVPANIC_CRASH_LOADED, <misc/pvpanic.h>); a write reports the events
 * written through the callback (the machine turns PANICKED into its exit
 * code; a crash kernel being loaded is only worth a line).
 */
#ifndef MINIVMM_PVPANIC_H
#define MINIVMM_PVPANIC_H

#include <stdint.h>

#include <misc/pvpanic.h>	/* the events: PVPANIC_PANICKED, ... */

#define PVPANIC_NR_PORTS	1

struct pvpanic {
	/* private */
	void (*event)(void *opaque, uint8_t events);
	void *opaque;
};

void pvpanic_init(struct pvpanic *p, void (*event)(void *opaque, uint8_t events),
		  void *opaque);
/* bus_read_fn / bus_write_fn for the one port. */
void pvpanic_pio_read(void *opaque, uint64_t offset, void *data, uint32_t size);
void pvpanic_pio_write(void *opaque, uint64_t offset, const void *data,
		       uint32_t size);

#endif
