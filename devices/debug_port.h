/* SPDX-License-Identifier: MIT */
/*
 * Byte ports for our own guests: PORT_DEBUG_TRACE (phase markers for
 * -trace-boot) and, for a netboot only, PORT_FW_STATUS (the netboot
 * firmware's outcome).  Register with base PORT_DEBUG_TRACE and length
 * debug_port_nr_ports(): without the firmware the status port does not
 * exist, so no guest can claim a netboot verdict (exit codes 5 and 6).
 * The firmware closes it with FW_STATUS_HANDOFF before it jumps to the
 * kernel; later writes are ignored.
 */
#ifndef MINIVMM_DEBUG_PORT_H
#define MINIVMM_DEBUG_PORT_H

#include <stdint.h>

#include "devices/guest_event.h"

#include <stdbool.h>

struct debug_port {
	/* private */
	void (*trace)(void *opaque, uint8_t marker);	/* may be NULL */
	guest_event_fn event;	/* may be NULL */
	void *opaque;
	bool fw_status;		/* PORT_FW_STATUS exists (-netboot) */
	bool fw_status_open;	/* and the firmware has not handed off yet */
};

/* fw_status: also serve PORT_FW_STATUS (a netboot's firmware runs). */
void debug_port_init(struct debug_port *d,
		     void (*trace)(void *opaque, uint8_t marker),
		     guest_event_fn event, void *opaque, bool fw_status);
/* Ports to register from PORT_DEBUG_TRACE: 2 with the status port, else 1. */
unsigned int debug_port_nr_ports(const struct debug_port *d);
/* bus_read_fn / bus_write_fn; offset 0 = PORT_DEBUG_TRACE. */
void debug_port_pio_read(void *opaque, uint64_t offset, void *data,
			 uint32_t size);
void debug_port_pio_write(void *opaque, uint64_t offset, const void *data,
			  uint32_t size);

#endif
