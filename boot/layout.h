/* SPDX-License-Identifier: MIT */
/*
 * The fixed shape of a minivmm machine: guest physical memory map, I/O
 * ports and interrupt lines.  Shared by the VMM, the firmware and the test
 * guests, so it holds only constants.  (Exit codes: vmm/exit_code.h.)
 */
#ifndef MINIVMM_LAYOUT_H
#define MINIVMM_LAYOUT_H

/* ---- guest physical memory map ---- */
#define LAYOUT_GDT_ADDR		0x00000500ULL	/* boot GDT (4 entries) */
#define LAYOUT_BOOT_STACK_TOP	0x00008000ULL	/* boot/firmware stack grows down */
#define LAYOUT_PML4_ADDR	0x00009000ULL	/* identity page tables: PML4 */
#define LAYOUT_PDPT_ADDR	0x0000A000ULL	/* PDPT (1 page) */
#define LAYOUT_PD_ADDR		0x0000B000ULL	/* 4 PDs, 2 MiB pages, map 0-4 GiB */
#define LAYOUT_PD_COUNT		4
/* Low memory the boot GDT and page tables need (from gpa 0). */
#define LAYOUT_PAGE_TABLES_END	(LAYOUT_PD_ADDR + LAYOUT_PD_COUNT * 0x1000ULL)
#define LAYOUT_ZERO_PAGE_ADDR	0x00010000ULL	/* Linux boot_params */
#define LAYOUT_HANDOFF_ADDR	0x00011000ULL	/* firmware hand-off block */
#define LAYOUT_CMDLINE_ADDR	0x00020000ULL	/* kernel command line */
#define LAYOUT_CMDLINE_MAX	0x00010000ULL	/* 64 KiB room for it */
#define LAYOUT_EBDA_START	0x0009FC00ULL	/* low RAM ends here (e820) */
#define LAYOUT_ACPI_ADDR	0x000E0000ULL	/* ACPI tables, RSDP first */
#define LAYOUT_ACPI_SIZE	0x00020000ULL	/* 0xE0000-0xFFFFF */
#define LAYOUT_RESET_VECTOR	0x000FFFF0ULL	/* F000:FFF0, real-mode reset entry */
#define LAYOUT_HIGH_RAM_START	0x00100000ULL	/* 1 MiB: kernel goes here */
/* The netboot firmware lives below 640 KiB, as PXELINUX does, so that a
 * kernel that must run at 1 MiB (not relocatable) netboots too.  Its
 * config-parsing work area sits at 1 MiB and is dead before any kernel
 * byte is loaded. */
#define LAYOUT_FIRMWARE_ADDR	0x00030000ULL	/* linked here, after the cmdline */
#define LAYOUT_FIRMWARE_WORK	LAYOUT_HIGH_RAM_START	/* config work area */

#define LAYOUT_MMIO_HOLE_START	0xC0000000ULL	/* 3 GiB */
#define LAYOUT_MMIO_HOLE_END	0x100000000ULL	/* 4 GiB */
#define LAYOUT_VIRTIO_MMIO_BASE	0xD0000000ULL	/* first virtio-mmio window */
#define LAYOUT_VIRTIO_MMIO_SIZE	0x1000ULL	/* one window per device */
#define LAYOUT_VIRTIO_MMIO_MAX	16
/* ACPI Generic Event Device (power button), after the virtio windows. */
#define LAYOUT_GED_ADDR		(LAYOUT_VIRTIO_MMIO_BASE + \
				 LAYOUT_VIRTIO_MMIO_MAX * LAYOUT_VIRTIO_MMIO_SIZE)
#define LAYOUT_IOAPIC_ADDR	0xFEC00000ULL
#define LAYOUT_LAPIC_ADDR	0xFEE00000ULL
#define LAYOUT_TSS_ADDR		0xFFFBD000ULL	/* KVM_SET_TSS_ADDR (3 pages) */
#define LAYOUT_IDENTITY_MAP_ADDR 0xFFFBC000ULL	/* KVM_SET_IDENTITY_MAP_ADDR */

/* ---- I/O ports ---- */
#define PORT_COM1		0x3F8
#define PORT_I8042_DATA		0x60
#define PORT_I8042_CMD		0x64
#define PORT_ACPI_SLEEP_CTL	0x600	/* FADT SLEEP_CONTROL_REG (1 byte) */
#define PORT_ACPI_SLEEP_STS	0x601	/* FADT SLEEP_STATUS_REG (1 byte) */
#define PORT_ACPI_RESET		0x602	/* FADT RESET_REG (1 byte) */
#define ACPI_RESET_VALUE	0x0E
#define ACPI_S5_SLP_TYP		5	/* \_S5 package value */
#define ACPI_SLP_EN		0x20	/* SLP_EN bit in SLEEP_CONTROL_REG */
#define PORT_DEBUG_TRACE	0x510	/* byte write: guest phase marker (-trace-boot) */
#define PORT_PVPANIC		0x505	/* pvpanic: QEMU's ISA port (devices/pvpanic.h) */
#define PORT_FW_STATUS		0x511	/* byte write: firmware outcome, see FW_STATUS_* */
#define PORT_RUN_STATUS		0x518	/* byte write: -rootfs init's exit status (devices/run_status.h) */

/* ---- interrupt lines (GSIs on the IOAPIC) ---- */
#define IRQ_COM1		4
#define IRQ_VIRTIO_MMIO_BASE	5	/* virtio-mmio device n uses GSI 5 + n */
#define IRQ_GED			22	/* the GED's edge interrupt */
/* GED event selector bit of a power-button press (QEMU's value too). */
#define ACPI_GED_EVT_PWR_DOWN	0x2

/* ---- firmware status codes written to PORT_FW_STATUS ---- */
#define FW_STATUS_NETBOOT_FAILED	1
#define FW_STATUS_LOCALBOOT		2
#define FW_STATUS_DEADLINE		4	/* the -netboot-timeout deadline passed */
/* The firmware jumps to the kernel: the port closes for the rest of the run. */
#define FW_STATUS_HANDOFF		3

#endif
