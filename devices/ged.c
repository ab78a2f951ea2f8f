// SPDX-License-Identifier: MIT
/* ACPI Generic Event Device: see ged.h. */
#include <errno.h>
#include <string.h>

#include "devices/ged.h"
#include "devices/state_stream.h"

void ged_init(struct ged *g, ged_irq_fn irq, void *opaque)
{
	atomic_init(&g->pending, 0);
	g->irq = irq;
	g->opaque = opaque;
}

void ged_press_power_button(struct ged *g)
{
	atomic_fetch_or(&g->pending, GED_EVT_PWR_DOWN);
	g->irq(g->opaque);
}

void ged_mmio_read(void *opaque, uint64_t offset, void *data, uint32_t size)
{
	struct ged *g = opaque;
	uint32_t v = 0;

	/* Only a whole aligned dword of the selector reads (and clears) it. */
	if (offset == GED_REG_EVT_SEL && size == 4)
		v = atomic_exchange(&g->pending, 0);
	memset(data, 0, size);
	memcpy(data, &v, size < 4 ? size : 4);
}

void ged_mmio_write(void *opaque, uint64_t offset, const void *data,
		    uint32_t size)
{
	(void)opaque;
	(void)offset;
	(void)data;
	(void)size;
}

void ged_save(struct ged *g, struct state_writer *w)
{
	state_put_u32(w, atomic_load(&g->pending));
}

int ged_load(struct ged *g, struct state_reader *r)
{
	uint32_t pending = state_get_u32(r);

	if (pending & ~(uint32_t)GED_EVT_PWR_DOWN)
		state_reader_fail(r);
	if (!state_reader_done(r))
		return -EINVAL;
	atomic_store(&g->pending, pending);
	return 0;
}
