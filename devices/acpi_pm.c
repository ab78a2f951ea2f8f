// SPDX-License-Identifier: MIT
/*
 * FADT sleep control/status and reset registers (hardware-reduced ACPI).
 *
 * Linux powers off by writing SLP_TYP(\_S5) | SLP_EN to the sleep control
 * register; it then polls WAK_STS in the sleep status register, which is
 * fine: the VM is stopping.  Sleep states other than S5 are not supported,
 * so a request for one completes at once: WAK_STS is set and the guest
 * carries on as if it had woken up.
 */
#include <errno.h>
#include <string.h>

#include "boot/layout.h"
#include "devices/acpi_pm.h"
#include "devices/state_stream.h"

#define ACPI_PM_SLP_TYP_SHIFT	2
#define ACPI_PM_SLP_TYP_MASK	0x07
#define ACPI_PM_WAK_STS		0x80

enum {
	ACPI_PM_OFS_SLEEP_CTL = PORT_ACPI_SLEEP_CTL - PORT_ACPI_SLEEP_CTL,
	ACPI_PM_OFS_SLEEP_STS = PORT_ACPI_SLEEP_STS - PORT_ACPI_SLEEP_CTL,
	ACPI_PM_OFS_RESET = PORT_ACPI_RESET - PORT_ACPI_SLEEP_CTL,
};

void acpi_pm_init(struct acpi_pm *pm, guest_event_fn event, void *opaque)
{
	memset(pm, 0, sizeof(*pm));
	pm->event = event;
	pm->opaque = opaque;
}

static void acpi_pm_report(struct acpi_pm *pm, enum guest_event ev)
{
	if (pm->event)
		pm->event(pm->opaque, ev);
}

static uint8_t acpi_pm_read_byte(struct acpi_pm *pm, uint64_t offset)
{
	switch (offset) {
	case ACPI_PM_OFS_SLEEP_STS:
		return __atomic_load_n(&pm->wak_sts, __ATOMIC_RELAXED) ?
		       ACPI_PM_WAK_STS : 0;
	case ACPI_PM_OFS_SLEEP_CTL:	/* SLP_EN is write-only, reads 0 */
	case ACPI_PM_OFS_RESET:
		return 0;
	default:
		return 0xff;
	}
}

static void acpi_pm_write_sleep_ctl(struct acpi_pm *pm, uint8_t val)
{
	unsigned int typ;

	if (!(val & ACPI_SLP_EN))
		return;
	typ = (val >> ACPI_PM_SLP_TYP_SHIFT) & ACPI_PM_SLP_TYP_MASK;
	if (typ == ACPI_S5_SLP_TYP)
		acpi_pm_report(pm, GUEST_EVENT_POWEROFF);
	else
		__atomic_store_n(&pm->wak_sts, true, __ATOMIC_RELAXED);
}

static void acpi_pm_write_byte(struct acpi_pm *pm, uint64_t offset,
			       uint8_t val)
{
	switch (offset) {
	case ACPI_PM_OFS_SLEEP_CTL:
		acpi_pm_write_sleep_ctl(pm, val);
		break;
	case ACPI_PM_OFS_SLEEP_STS:
		/* WAK_STS is write-one-to-clear */
		if (val & ACPI_PM_WAK_STS)
			__atomic_store_n(&pm->wak_sts, false,
					 __ATOMIC_RELAXED);
		break;
	case ACPI_PM_OFS_RESET:
		if (val == ACPI_RESET_VALUE)
			acpi_pm_report(pm, GUEST_EVENT_RESET);
		break;
	default:
		break;
	}
}

/* Wider accesses touch consecutive byte registers, as on an ISA bus. */
void acpi_pm_pio_read(void *opaque, uint64_t offset, void *data,
		      uint32_t size)
{
	struct acpi_pm *pm = opaque;
	uint8_t *out = data;
	uint32_t i;

	for (i = 0; i < size; i++)
		out[i] = acpi_pm_read_byte(pm, offset + i);
}

void acpi_pm_pio_write(void *opaque, uint64_t offset, const void *data,
		       uint32_t size)
{
	struct acpi_pm *pm = opaque;
	const uint8_t *in = data;
	uint32_t i;

	for (i = 0; i < size; i++)
		acpi_pm_write_byte(pm, offset + i, in[i]);
}

void acpi_pm_save(void *opaque, struct state_writer *w)
{
	struct acpi_pm *pm = opaque;

	state_put_u8(w, __atomic_load_n(&pm->wak_sts, __ATOMIC_RELAXED));
}

int acpi_pm_load(void *opaque, struct state_reader *r)
{
	struct acpi_pm *pm = opaque;
	uint8_t wak = state_get_u8(r);

	if (wak > 1)
		state_reader_fail(r);
	if (!state_reader_done(r))
		return -EINVAL;
	__atomic_store_n(&pm->wak_sts, wak != 0, __ATOMIC_RELAXED);
	return 0;
}
