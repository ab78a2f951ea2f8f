/* SPDX-License-Identifier: MIT */
/*
 * Hardware-reduced ACPI power management: the FADT sleep control, sleep
 * status and reset registers, three byte ports starting at
 * PORT_ACPI_SLEEP_CTL.  S5 powers the VM off, the reset value reboots it.
 */
#ifndef MINIVMM_ACPI_PM_H
#define MINIVMM_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/guest_event.h"

#define ACPI_PM_NR_PORTS	3

struct acpi_pm {
	/* private */
	guest_event_fn event;	/* may be NULL */
	void *opaque;
	bool wak_sts;		/* WAK_STS after a (no-op) S1-S4 request */
};

void acpi_pm_init(struct acpi_pm *pm, guest_event_fn event, void *opaque);
/* Snapshots: WAK_STS (-EINVAL if malformed). */
struct state_writer;
struct state_reader;
void acpi_pm_save(void *pm, struct state_writer *w);
int acpi_pm_load(void *pm, struct state_reader *r);
/* bus_read_fn / bus_write_fn; offset 0 = PORT_ACPI_SLEEP_CTL. */
void acpi_pm_pio_read(void *opaque, uint64_t offset, void *data,
		      uint32_t size);
void acpi_pm_pio_write(void *opaque, uint64_t offset, const void *data,
		       uint32_t size);

#endif
