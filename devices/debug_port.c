// SPDX-License-Identifier: MIT
/*
 * Ports for our own guests: phase markers for -trace-boot and the netboot
 * firmware's final word (netboot only, until the kernel hand-off).  Only
 * byte writes count; reads return 0.
 */
#include <string.h>

#include "boot/layout.h"
#include "devices/debug_port.h"

#define DEBUG_PORT_OFS_TRACE	(PORT_DEBUG_TRACE - PORT_DEBUG_TRACE)
#define DEBUG_PORT_OFS_STATUS	(PORT_FW_STATUS - PORT_DEBUG_TRACE)

void debug_port_init(struct debug_port *d,
		     void (*trace)(void *opaque, uint8_t marker),
		     guest_event_fn event, void *opaque, bool fw_status)
{
	memset(d, 0, sizeof(*d));
	d->trace = trace;
	d->event = event;
	d->opaque = opaque;
	d->fw_status = d->fw_status_open = fw_status;
}

unsigned int debug_port_nr_ports(const struct debug_port *d)
{
	return d->fw_status ? DEBUG_PORT_OFS_STATUS + 1 : DEBUG_PORT_OFS_STATUS;
}

void debug_port_pio_read(void *opaque, uint64_t offset, void *data,
			 uint32_t size)
{
	(void)opaque;
	(void)offset;
	memset(data, 0, size);
}

static void debug_port_fw_status(struct debug_port *d, uint8_t status)
{
	enum guest_event ev;

	/* Only the firmware speaks here, and only until the kernel runs:
	 * after the hand-off the guest is not ours to believe. */
	if (!d->fw_status_open)
		return;
	switch (status) {
	case FW_STATUS_HANDOFF:
		d->fw_status_open = false;
		return;
	case FW_STATUS_NETBOOT_FAILED:
		ev = GUEST_EVENT_NETBOOT_FAILED;
		break;
	case FW_STATUS_LOCALBOOT:
		ev = GUEST_EVENT_LOCALBOOT;
		break;
	case FW_STATUS_DEADLINE:
		ev = GUEST_EVENT_NETBOOT_DEADLINE;
		break;
	default:
		return;		/* unknown: ignore, the guest goes on */
	}
	if (d->event)
		d->event(d->opaque, ev);
}

void debug_port_pio_write(void *opaque, uint64_t offset, const void *data,
			  uint32_t size)
{
	struct debug_port *d = opaque;
	uint8_t val = *(const uint8_t *)data;

	if (size != 1)
		return;
	if (offset == DEBUG_PORT_OFS_TRACE) {
		if (d->trace)
			d->trace(d->opaque, val);
	} else if (offset == DEBUG_PORT_OFS_STATUS) {
		debug_port_fw_status(d, val);
	}
}
