/* SPDX-License-Identifier: MIT */
/*
 * ACPI Generic Event Device (ACPI0013, hardware-reduced ACPI): the way a
 * guest without a PM1 event block learns about a power-button press.  One
 * 32-bit register, the event selector: a read returns the pending events
 * and clears them.  The DSDT's _EVT method (boot/acpi.c) reads it when the
 * GED's interrupt fires and notifies the power button device (PNP0C0C).
 * The same register layout and event bit as QEMU's microvm GED.
 */
#ifndef MINIVMM_GED_H
#define MINIVMM_GED_H

#include <stdatomic.h>
#include <stdint.h>

#include "boot/layout.h"

#define GED_MMIO_SIZE		0x10
#define GED_REG_EVT_SEL		0x0	/* read: pending events, cleared */
#define GED_EVT_PWR_DOWN	ACPI_GED_EVT_PWR_DOWN	/* power button pressed */

/* Send the GED's edge interrupt (vm_pulse_irq in vmm/, say). */
typedef void (*ged_irq_fn)(void *opaque);

struct ged {
	/* private */
	atomic_uint pending;
	ged_irq_fn irq;
	void *opaque;
};

void ged_init(struct ged *g, ged_irq_fn irq, void *opaque);
/* Snapshots: the pending events (known bits only; -EINVAL if malformed). */
struct state_writer;
struct state_reader;
void ged_save(struct ged *g, struct state_writer *w);
int ged_load(struct ged *g, struct state_reader *r);
/* Press the power button: set the event and pulse the interrupt (any thread). */
void ged_press_power_button(struct ged *g);
/* bus_read_fn / bus_write_fn for the MMIO window (writes are ignored). */
void ged_mmio_read(void *opaque, uint64_t offset, void *data, uint32_t size);
void ged_mmio_write(void *opaque, uint64_t offset, const void *data,
		    uint32_t size);

#endif
