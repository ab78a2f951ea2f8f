// SPDX-License-Identifier: MIT
/* pvpanic port: see pvpanic.h. */
#include "devices/pvpanic.h"

#include <string.h>

#define PVPANIC_OFFERED	(PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

void pvpanic_init(struct pvpanic *p, void (*event)(void *opaque, uint8_t events),
		  void *opaque)
{
	p->event = event;
	p->opaque = opaque;
}

void pvpanic_pio_read(void *opaque, uint64_t offset, void *data, uint32_t size)
{
	(void)opaque;
	memset(data, 0, size);
	if (offset == 0 && size >= 1)
		*(uint8_t *)data = PVPANIC_OFFERED;
}

void pvpanic_pio_write(void *opaque, uint64_t offset, const void *data,
		       uint32_t size)
{
	struct pvpanic *p = opaque;
	uint8_t v;

	if (offset != 0 || size < 1)
		return;
	/* Bits we do not offer are ignored, as the spec asks. */
	v = *(const uint8_t *)data & PVPANIC_OFFERED;
	if (v && p->event)
		p->event(p->opaque, v);
}
