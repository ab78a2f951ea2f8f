/* SPDX-License-Identifier: MIT */
/*
 * Reading the ACPI tables a VMM hands to its guest: RSDP, RSDT/XSDT, any
 * table by signature, the FADT registers and the \_S5 sleep type.  All
 * addresses are physical and must lie in the identity-mapped low 4 GiB;
 * every length is checked before use.
 */
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_HDR_LEN		36
#define ACPI_TABLE_MAX_LEN	0x100000	/* we refuse to sum more */

#define ACPI_GAS_MEM		0
#define ACPI_GAS_IO		1

#define FADT_F_RESET_REG_SUP	(1U << 10)
#define FADT_F_HW_REDUCED	(1U << 20)

/* Generic Address Structure */
struct acpi_gas {
	uint8_t space, bit_width, bit_offset, access_size;
	uint64_t addr;
};

struct acpi_root {
	uint64_t addr;		/* XSDT or RSDT */
	bool xsdt;
	unsigned int entries;
};

struct acpi_fadt {
	uint32_t length;
	uint8_t revision, minor;
	uint32_t flags;
	uint64_t dsdt, facs;
	uint16_t sci_int;
	uint32_t pm1a_cnt;		/* legacy PM1a_CNT_BLK */
	struct acpi_gas x_pm1a_cnt;
	struct acpi_gas reset;
	uint8_t reset_value;
	bool has_sleep_regs;		/* FADT long enough (rev 5+) */
	struct acpi_gas sleep_ctl, sleep_sts;
};

/* Signature and checksum(s) of an RSDP at addr. */
bool acpi_rsdp_valid(uint64_t addr);
/*
 * The hint if it is a valid RSDP, else a scan of 0xE0000-0xFFFFF.
 * *source is "hint", "scan" or "none".  Returns 0 when not found.
 */
uint64_t acpi_find_rsdp(uint64_t hint, const char **source);
/* XSDT when revision >= 2 and present, else RSDT.  false if unusable. */
bool acpi_root_get(uint64_t rsdp, struct acpi_root *root);
uint64_t acpi_root_entry(const struct acpi_root *root, unsigned int i);
/* Table length when the header is mapped and sane (>= 36), else 0. */
uint32_t acpi_table_len(uint64_t addr);
/* Header, length and byte checksum all good. */
bool acpi_table_ok(uint64_t addr);
bool acpi_sig_is(uint64_t addr, const char sig[4]);
/* First table with this signature in the root table, 0 if none. */
uint64_t acpi_find_table(const struct acpi_root *root, const char sig[4]);
bool acpi_fadt_parse(uint64_t fadt, struct acpi_fadt *f);
/* SLP_TYPa of the DSDT's \_S5 package, or -1 when not found. */
int acpi_dsdt_s5(uint64_t dsdt);
/* Write value to a GAS register (system I/O or memory, 8/16/32 bits). */
bool acpi_gas_write(const struct acpi_gas *g, uint32_t value);

#endif
