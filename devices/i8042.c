// SPDX-License-Identifier: MIT
/*
 * The i8042 is here for one reason: the CPU reset line (command 0xFE on
 * port 0x64), which Linux uses when reboot=kbd and as a fallback after the
 * ACPI reset register.
 *
 * There is no keyboard.  The status register reads 0x01: input buffer
 * empty (IBF clear, so reboot code that waits for it goes on at once) and
 * output buffer "full" forever.  Linux's i8042_flush() gives up after 16
 * reads of such a port and reports "No controller found", so a probe costs
 * a few dozen exits.  (Linux normally does not probe at all: our FADT does
 * not set the 8042 boot flag and the DSDT has no PNP0303.)  Port 0x61
 * (system control port B) reads 0.
 */
#include <string.h>

#include "boot/layout.h"
#include "devices/i8042.h"

#define I8042_OFS_DATA		(PORT_I8042_DATA - PORT_I8042_DATA)
#define I8042_OFS_PORT_B	(0x61 - PORT_I8042_DATA)
#define I8042_OFS_CMD		(PORT_I8042_CMD - PORT_I8042_DATA)

#define I8042_STR_OBF		0x01
#define I8042_CMD_RESET_CPU	0xFE

void i8042_init(struct i8042 *k, guest_event_fn event, void *opaque)
{
	memset(k, 0, sizeof(*k));
	k->event = event;
	k->opaque = opaque;
}

static uint8_t i8042_read_byte(uint64_t offset)
{
	switch (offset) {
	case I8042_OFS_CMD:
		return I8042_STR_OBF;
	case I8042_OFS_DATA:
	case I8042_OFS_PORT_B:
		return 0;
	default:
		return 0xff;
	}
}

void i8042_pio_read(void *opaque, uint64_t offset, void *data, uint32_t size)
{
	uint8_t *out = data;
	uint32_t i;

	(void)opaque;
	for (i = 0; i < size; i++)
		out[i] = i8042_read_byte(offset + i);
}

void i8042_pio_write(void *opaque, uint64_t offset, const void *data,
		     uint32_t size)
{
	struct i8042 *k = opaque;
	const uint8_t *in = data;

	/* Only a byte write of the command port means anything. */
	if (size != 1 || offset != I8042_OFS_CMD)
		return;
	if (in[0] == I8042_CMD_RESET_CPU && k->event)
		k->event(k->opaque, GUEST_EVENT_RESET);
}
