/* SPDX-License-Identifier: MIT */
/*
 * ACPI table builder: RSDP, XSDT, FADT (hardware-reduced), DSDT (\_S5,
 * COM1, virtio-mmio devices) and MADT for a minivmm guest.  Freestanding:
 * shared by the VMM and the netboot firmware.
 */
#ifndef MINIVMM_ACPI_H
#define MINIVMM_ACPI_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct acpi_virtio_mmio {
	uint64_t base;
	uint32_t size;
	uint32_t gsi;
};

struct acpi_config {
	unsigned int nr_cpus;
	const uint32_t *apic_ids;	/* one LAPIC per vCPU (x2APIC entries when an id > 254) */
	uint64_t ioapic_addr;
	uint8_t ioapic_id;
	uint32_t lapic_addr;
	uint16_t serial_port;
	uint8_t serial_irq;		/* COM1 in the DSDT as PNP0501 with _CRS IO + IRQ */
	uint16_t pvpanic_port;		/* 0: none; else Device PEVT, _HID "QEMU0001", _CRS IO */
	const struct acpi_virtio_mmio *virtio;
	uint64_t ged_addr;		/* GED event selector (MMIO), 0 = no power button */
	uint32_t ged_gsi;		/* its edge interrupt */
	unsigned int nr_virtio;		/* each a Device with _HID "LNRO0005", _UID n, _CRS Memory32Fixed + Interrupt (edge, active high) */
};

/*
 * Build RSDP (at gpa, rev 2 with XSDT), XSDT, FADT, DSDT, MADT (and nothing
 * else unless needed) into buf which the guest sees at gpa.  Returns bytes
 * used, 0 if size is too small.
 */
size_t acpi_build_tables(void *buf, size_t size, uint64_t gpa,
			 const struct acpi_config *cfg);

/*
 * Walk RSDP->XSDT->tables (+ FADT's X_DSDT) of a built image; calls fn for
 * each (the XSDT first, then FACP, DSDT, APIC), stops on non-zero return.
 * Returns 0, or -1 if the image is malformed (bad signature, checksum or a
 * pointer/length outside buf, which the guest sees at gpa).
 */
typedef int (*acpi_table_fn)(void *opaque, const char signature[4],
			     const void *table, size_t len);
int acpi_for_each_table(const void *buf, size_t size, uint64_t gpa,
			acpi_table_fn fn, void *opaque);

#endif
