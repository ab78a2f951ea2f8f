// SPDX-License-Identifier: MIT
/*
 * The exit dispatch and the buses with every register-level device behind
 * them: COM1, the i8042, the ACPI PM registers, the debug and firmware
 * status ports (with and without -netboot), pvpanic on the port bus and
 * the GED on the MMIO bus.  The input is a sequence of KVM_EXIT_IO and
 * KVM_EXIT_MMIO exits with any port, address, size, count, data offset
 * and data (what the guest chooses, and what KVM would never hand us).
 * Oracle besides the sanitizers: unclaimed reads are all ones, events
 * are only the ones these devices may raise, and a plain -kernel guest
 * never gets a netboot verdict.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/layout.h"
#include "devices/acpi_pm.h"
#include "devices/debug_port.h"
#include "devices/ged.h"
#include "devices/i8042.h"
#include "devices/pvpanic.h"
#include "devices/serial.h"
#include "tests/fuzz/fuzz_input.h"
#include "vmm/exit_dispatch.h"

#define RUN_SIZE	4096
#define MAX_EXITS	256

struct fuzz_machine {
	struct bus pio, mmio;
	struct serial serial;
	struct i8042 kbd;
	struct acpi_pm pm;
	struct debug_port dbg;
	struct pvpanic panic;
	struct ged ged;
	unsigned int events[8], verdicts, panics, irqs;
	bool netboot;
};

static void fuzz_event(void *opaque, enum guest_event ev)
{
	struct fuzz_machine *m = opaque;

	assert((unsigned int)ev < 8);
	m->events[ev]++;
	if (ev == GUEST_EVENT_NETBOOT_FAILED || ev == GUEST_EVENT_LOCALBOOT)
		m->verdicts++;
}

static void fuzz_trace(void *opaque, uint8_t marker)
{
	(void)opaque;
	(void)marker;
}

static void fuzz_panic(void *opaque, uint8_t events)
{
	((struct fuzz_machine *)opaque)->panics += events != 0;
}

static void fuzz_irq(void *opaque, int level)
{
	assert(level == 0 || level == 1);
	((struct fuzz_machine *)opaque)->irqs++;
}

static void fuzz_ged_irq(void *opaque)
{
	((struct fuzz_machine *)opaque)->irqs++;
}

static void fuzz_reg(struct bus *b, const char *name, uint64_t base,
		     uint64_t len, bus_read_fn r, bus_write_fn w, void *opaque)
{
	struct bus_device d = { name, base, len, r, w, opaque };
	int ret = bus_register(b, &d);

	assert(ret == 0);
}

static void fuzz_machine_init(struct fuzz_machine *m, bool netboot)
{
	memset(m, 0, sizeof(*m));
	m->netboot = netboot;
	serial_init(&m->serial, -1, fuzz_irq, m);
	i8042_init(&m->kbd, fuzz_event, m);
	acpi_pm_init(&m->pm, fuzz_event, m);
	debug_port_init(&m->dbg, fuzz_trace, fuzz_event, m, netboot);
	pvpanic_init(&m->panic, fuzz_panic, m);
	ged_init(&m->ged, fuzz_ged_irq, m);
	fuzz_reg(&m->pio, "serial", PORT_COM1, SERIAL_NR_PORTS,
		 serial_pio_read, serial_pio_write, &m->serial);
	fuzz_reg(&m->pio, "i8042", PORT_I8042_DATA, I8042_NR_PORTS,
		 i8042_pio_read, i8042_pio_write, &m->kbd);
	fuzz_reg(&m->pio, "acpi-pm", PORT_ACPI_SLEEP_CTL, ACPI_PM_NR_PORTS,
		 acpi_pm_pio_read, acpi_pm_pio_write, &m->pm);
	fuzz_reg(&m->pio, "debug-port", PORT_DEBUG_TRACE,
		 debug_port_nr_ports(&m->dbg), debug_port_pio_read,
		 debug_port_pio_write, &m->dbg);
	fuzz_reg(&m->pio, "pvpanic", PORT_PVPANIC, PVPANIC_NR_PORTS,
		 pvpanic_pio_read, pvpanic_pio_write, &m->panic);
	fuzz_reg(&m->mmio, "ged", LAYOUT_GED_ADDR, GED_MMIO_SIZE,
		 ged_mmio_read, ged_mmio_write, &m->ged);
}

static bool fuzz_claimed(const struct bus *b, uint64_t addr)
{
	for (unsigned int i = 0; i < b->nr; i++)
		if (addr >= b->dev[i].base && addr - b->dev[i].base < b->dev[i].len)
			return true;
	return false;
}

/* One port exit; reads of an unclaimed port must come back all ones. */
static void fuzz_io_exit(struct fuzz_machine *m, struct kvm_run *run,
			 struct fuzz_input *in)
{
	uint8_t data[64];
	uint64_t off;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = fuzz_u8(in) & 1;
	run->io.size = fuzz_u8(in);
	run->io.port = fuzz_u8(in) & 1 ? fuzz_u16(in) :
		       (uint16_t)(0x3f8 + (fuzz_u8(in) % 0x220));
	run->io.count = fuzz_u8(in) & 1 ? fuzz_u32(in) : (fuzz_u8(in) & 7) + 1;
	off = fuzz_u8(in) & 1 ? fuzz_u64(in) : sizeof(*run) + (fuzz_u8(in) & 63);
	run->io.data_offset = off;
	fuzz_take(in, data, sizeof(data));
	if (off <= RUN_SIZE - sizeof(data))
		memcpy((uint8_t *)run + off, data, sizeof(data));
	if (run->io.direction == KVM_EXIT_IO_IN &&
	    run->io.data_offset >= sizeof(*run) &&
	    run->io.data_offset <= RUN_SIZE - 4 &&
	    !fuzz_claimed(&m->pio, run->io.port))
		memset((uint8_t *)run + run->io.data_offset, 0, 4);
	{
		/* As dispatched: the data may have been copied over them. */
		uint32_t size = run->io.size, count = run->io.count;
		uint16_t port = run->io.port;
		bool in_dir = run->io.direction == KVM_EXIT_IO_IN;

		off = run->io.data_offset;
		if (!exit_dispatch_io(&m->pio, run, RUN_SIZE))
			return;
		assert(size == 1 || size == 2 || size == 4);
		assert(off >= sizeof(*run));
		assert(off + (uint64_t)count * size <= RUN_SIZE);
		if (in_dir && count && !fuzz_claimed(&m->pio, port))
			for (uint32_t i = 0; i < size; i++)
				assert(((uint8_t *)run)[off + i] == 0xff);
	}
}

static void fuzz_mmio_exit(struct fuzz_machine *m, struct kvm_run *run,
			   struct fuzz_input *in)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.is_write = fuzz_u8(in) & 1;
	run->mmio.len = fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u8(in) % 9;
	run->mmio.phys_addr = fuzz_u8(in) & 1 ? fuzz_u64(in) :
			      LAYOUT_GED_ADDR + (fuzz_u8(in) % 0x20) - 8;
	fuzz_take(in, run->mmio.data, sizeof(run->mmio.data));
	exit_dispatch_mmio(&m->mmio, run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fuzz_machine *m = malloc(sizeof(*m));
	struct kvm_run *run = calloc(1, RUN_SIZE);

	fuzz_machine_init(m, fuzz_u8(&in) & 1);
	for (unsigned int n = 0; n < MAX_EXITS && in.left; n++) {
		if (fuzz_u8(&in) & 1)
			fuzz_mmio_exit(m, run, &in);
		else
			fuzz_io_exit(m, run, &in);
	}
	/* No firmware (-kernel): no netboot verdict, whatever was written. */
	if (!m->netboot)
		assert(m->verdicts == 0);
	assert(m->events[GUEST_EVENT_CRASH] == 0);
	serial_destroy(&m->serial);
	free(run);
	free(m);
	return 0;
}
