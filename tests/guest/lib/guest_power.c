// SPDX-License-Identifier: MIT
#include "tests/guest/lib/guest_power.h"

#include "boot/layout.h"
#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_print.h"

/*
 * How long to wait for the VMM to act on a power register before calling
 * it a failure: about a quarter second of emulated code, microseconds on
 * hardware (the VMM stops the vCPU on the very exit that wrote it).
 */
#define POWER_GRACE_LOOPS	1000000

static void guest_power_grace(const char *what)
{
	unsigned int i;

	for (i = 0; i < POWER_GRACE_LOOPS; i++)
		__asm__ volatile("pause");
	guest_printf("GUEST %s did not take effect\r\n", what);
}

void guest_triple_fault(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idt = { 0, 0 };

	guest_printf("GUEST triple fault\r\n");
	__asm__ volatile("cli; lidt %0; ud2" : : "m"(idt));
	cpu_halt_forever();
}

void guest_halt(void)
{
	guest_printf("GUEST halt\r\n");
	cpu_halt_forever();
}

void guest_i8042_reset(void)
{
	guest_printf("GUEST i8042 reset\r\n");
	outb(PORT_I8042_CMD, 0xFE);
	guest_power_grace("i8042 reset");
	guest_triple_fault();
}

static bool guest_fadt(uint64_t rsdp, struct acpi_fadt *f)
{
	struct acpi_root root;
	uint64_t t;

	if (!rsdp || !acpi_root_get(rsdp, &root))
		return false;
	t = acpi_find_table(&root, "FACP");
	return t && acpi_fadt_parse(t, f);
}

void guest_poweroff(uint64_t rsdp)
{
	struct acpi_fadt f;
	int typ;

	if (!guest_fadt(rsdp, &f)) {
		guest_printf("GUEST poweroff: no FADT\r\n");
		guest_triple_fault();
	}
	typ = acpi_dsdt_s5(f.dsdt);
	if (typ < 0)
		typ = ACPI_S5_SLP_TYP;
	if (f.has_sleep_regs && f.sleep_ctl.addr) {
		guest_printf("GUEST poweroff: sleep control <- 0x%x\r\n",
			     ((typ & 7) << 2) | ACPI_SLP_EN);
		acpi_gas_write(&f.sleep_ctl, ((typ & 7) << 2) | ACPI_SLP_EN);
	} else {
		struct acpi_gas pm1a = f.x_pm1a_cnt;

		if (!pm1a.addr) {
			pm1a.space = ACPI_GAS_IO;
			pm1a.addr = f.pm1a_cnt;
		}
		pm1a.bit_width = 16;
		guest_printf("GUEST poweroff: PM1a_CNT <- 0x%x\r\n",
			     ((typ & 7) << 10) | (1 << 13));
		acpi_gas_write(&pm1a, ((typ & 7) << 10) | (1 << 13));
	}
	guest_power_grace("poweroff");
	guest_triple_fault();
}

void guest_reboot(uint64_t rsdp)
{
	struct acpi_fadt f;

	if (!guest_fadt(rsdp, &f) || !f.reset.addr) {
		guest_printf("GUEST reboot: no FADT reset register\r\n");
		guest_triple_fault();
	}
	guest_printf("GUEST reboot: reset register <- 0x%x\r\n", f.reset_value);
	acpi_gas_write(&f.reset, f.reset_value);
	guest_power_grace("reboot");
	guest_triple_fault();
}
