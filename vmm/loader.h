/* SPDX-License-Identifier: MIT */
/*
 * Puts what the guest boots into its memory: ACPI tables, long-mode page
 * tables and GDT, then either a Linux bzImage with initrd and command line
 * (direct boot) or the built-in netboot firmware with its hand-off block.
 */
#ifndef MINIVMM_LOADER_H
#define MINIVMM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/acpi.h"

struct vm;

/* Where and how the boot vCPU starts. */
struct boot_entry {
	bool pvh;		/* 32-bit PVH entry: EBX = start info */
	uint64_t rip;
	uint64_t rsi;		/* 64-bit entry: boot_params */
	uint64_t rsp;
	uint64_t rbx;		/* PVH: hvm_start_info */
};

/* The NIC the firmware drives (the first -tap). */
struct loader_netboot_nic {
	uint64_t mmio_base;
	uint32_t gsi;
	uint8_t mac[6];
};

/* The -kernel file, mapped read-only (loader_open_kernel). */
struct loader_kernel {
	const char *path;
	int fd;
	const uint8_t *data;	/* NULL: nothing open */
	size_t size;
};

/* ACPI tables at LAYOUT_ACPI_ADDR; returns the RSDP address or 0. */
uint64_t loader_write_acpi(struct vm *vm, const struct acpi_config *acpi,
			   char *err, size_t errlen);
/*
 * -kernel: a bzImage (64-bit boot protocol), or an ELF vmlinux: through
 * PVH when it has the PVH note, else at its 64-bit entry with a zero page.
 */
int loader_load_linux(struct vm *vm, const struct loader_kernel *k,
		      uint64_t rsdp, struct boot_entry *entry, char *err,
		      size_t errlen);
/*
 * Before KVM is touched: the -kernel file opens, is mapped and parses
 * (bzImage header or ELF), so a bad kernel is reported as such on any
 * host; the mapping is kept for loader_load_linux(), so what was checked
 * is what is loaded.  0, or -errno with one line in err (k then holds
 * nothing).
 */
int loader_open_kernel(struct loader_kernel *k, const char *path, char *err,
		       size_t errlen);
/* Idempotent; for a k that was never opened, zero it first. */
void loader_close_kernel(struct loader_kernel *k);
int loader_load_firmware(struct vm *vm, uint64_t rsdp,
			 const struct loader_netboot_nic *nic,
			 struct boot_entry *entry, char *err, size_t errlen);

#endif
