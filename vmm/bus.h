/* SPDX-License-Identifier: MIT */
/*
 * Address buses: the port-I/O bus and the MMIO bus map a guest address to
 * the device that claimed it.  Devices register before the vCPUs start, so
 * lookups need no lock; each device serialises its own state.
 */
#ifndef MINIVMM_BUS_H
#define MINIVMM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define BUS_MAX_DEVICES 64

/* offset is relative to the registered base; size is 1, 2, 4 or 8. */
typedef void (*bus_read_fn)(void *opaque, uint64_t offset, void *data,
			    uint32_t size);
typedef void (*bus_write_fn)(void *opaque, uint64_t offset, const void *data,
			     uint32_t size);

struct bus_device {
	const char *name;
	uint64_t base;
	uint64_t len;
	bus_read_fn read;
	bus_write_fn write;
	void *opaque;
};

struct bus {
	struct bus_device dev[BUS_MAX_DEVICES]; /* sorted by base */
	unsigned int nr;
};

/* -EBUSY if the range overlaps a registered one, -ENOSPC when full. */
int bus_register(struct bus *bus, const struct bus_device *dev);

/*
 * Dispatch an access.  An access nobody claimed reads as all ones and its
 * writes are dropped; the return value says whether a device took it.
 */
bool bus_read(const struct bus *bus, uint64_t addr, void *data, uint32_t size);
bool bus_write(const struct bus *bus, uint64_t addr, const void *data,
	       uint32_t size);

#endif
