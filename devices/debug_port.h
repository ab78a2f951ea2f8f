/* SPDX-License-Identifier: MIT */
/*
 * Two byte ports for our own guests: PORT_DEBUG_TRACE (phase markers for
 * -trace-boot) and PORT_FW_STATUS (the netboot firmware's outcome).
 * Register with base PORT_DEBUG_TRACE and length DEBUG_PORT_NR_PORTS.
 */
#ifndef MINIVMM_DEBUG_PORT_H
#define MINIVMM_DEBUG_PORT_H

#include <stdint.h>

#include "devices/guest_event.h"

#define DEBUG_PORT_NR_PORTS	2

struct debug_port {
	/* private */
	void (*trace)(void *opaque, uint8_t marker);	/* may be NULL */
	guest_event_fn event;	/* may be NULL */
	void *opaque;
};

void debug_port_init(struct debug_port *d,
		     void (*trace)(void *opaque, uint8_t marker),
		     guest_event_fn event, void *opaque);
/* bus_read_fn / bus_write_fn; offset 0 = PORT_DEBUG_TRACE. */
void debug_port_pio_read(void *opaque, uint64_t offset, void *data,
			 uint32_t size);
void debug_port_pio_write(void *opaque, uint64_t offset, const void *data,
			  uint32_t size);

#endif
