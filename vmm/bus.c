// SPDX-License-Identifier: MIT
#include "vmm/bus.h"

#include <errno.h>
#include <string.h>

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int bus_register(struct bus *bus, const struct bus_device *dev)
{
	unsigned int pos = 0;

	if (dev->len == 0 || dev->base + dev->len < dev->base)
		return -EINVAL;
	if (bus->nr == BUS_MAX_DEVICES)
		return -ENOSPC;
	for (unsigned int i = 0; i < bus->nr; i++) {
		if (ranges_overlap(bus->dev[i].base, bus->dev[i].len,
				   dev->base, dev->len))
			return -EBUSY;
		if (bus->dev[i].base < dev->base)
			pos = i + 1;
	}
	memmove(&bus->dev[pos + 1], &bus->dev[pos],
		(bus->nr - pos) * sizeof(bus->dev[0]));
	bus->dev[pos] = *dev;
	bus->nr++;
	return 0;
}

static const struct bus_device *bus_find(const struct bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct bus_device *d = &bus->dev[mid];

		if (addr < d->base)
			hi = mid;
		else if (addr - d->base >= d->len)
			lo = mid + 1;
		else
			return d;
	}
	return NULL;
}

bool bus_read(const struct bus *bus, uint64_t addr, void *data, uint32_t size)
{
	const struct bus_device *d = bus_find(bus, addr);

	if (!d || !d->read) {
		memset(data, 0xff, size);
		return d != NULL;
	}
	d->read(d->opaque, addr - d->base, data, size);
	return true;
}

bool bus_write(const struct bus *bus, uint64_t addr, const void *data,
	       uint32_t size)
{
	const struct bus_device *d = bus_find(bus, addr);

	if (!d || !d->write)
		return d != NULL;
	d->write(d->opaque, addr - d->base, data, size);
	return true;
}
