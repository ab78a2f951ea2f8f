// SPDX-License-Identifier: MIT
/*
 * ACPI table reading for test guests (ACPI 6.x layouts).  Nothing here
 * trusts a length or address it has not checked against the 4 GiB map.
 */
#include "tests/guest/lib/guest_acpi.h"

#include "tests/guest/lib/guest_checksum.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_string.h"

#define ACPI_MAP_END		0x100000000ULL
#define RSDP_SIG		0x2052545020445352ULL	/* "RSD PTR " */
#define RSDP_V1_LEN		20
#define RSDP_V2_LEN		36
#define RSDP_SCAN_START		0xE0000ULL
#define RSDP_SCAN_END		0x100000ULL

/* FADT field offsets (ACPI 6.5, table 5.9) */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_PM1A_CNT_BLK	64
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_FIRMWARE_CTRL	132
#define FADT_X_DSDT		140
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_SLEEP_CONTROL_REG	244
#define FADT_SLEEP_STATUS_REG	256
#define FADT_LEN_V5		268

#define AML_PACKAGE_OP		0x12
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_BYTE_PREFIX		0x0A
#define AML_WORD_PREFIX		0x0B
#define AML_ONES_OP		0xFF

static bool acpi_mapped(uint64_t addr, uint64_t len)
{
	return addr && addr < ACPI_MAP_END && len <= ACPI_MAP_END - addr;
}

bool acpi_rsdp_valid(uint64_t addr)
{
	const uint8_t *p = phys_ptr(addr);
	uint32_t len;

	if (!acpi_mapped(addr, RSDP_V2_LEN) || get64(p) != RSDP_SIG ||
	    acpi_byte_sum(p, RSDP_V1_LEN))
		return false;
	if (get8(p + 15) < 2)
		return true;
	len = get32(p + 20);
	return len >= RSDP_V2_LEN && acpi_mapped(addr, len) &&
	       !acpi_byte_sum(p, RSDP_V2_LEN);
}

uint64_t acpi_find_rsdp(uint64_t hint, const char **source)
{
	uint64_t a;

	if (hint && acpi_rsdp_valid(hint)) {
		*source = "hint";
		return hint;
	}
	for (a = RSDP_SCAN_START; a < RSDP_SCAN_END; a += 16) {
		if (get64(phys_ptr(a)) == RSDP_SIG && acpi_rsdp_valid(a)) {
			*source = "scan";
			return a;
		}
	}
	*source = "none";
	return 0;
}

uint32_t acpi_table_len(uint64_t addr)
{
	uint32_t len;

	if (!acpi_mapped(addr, ACPI_HDR_LEN))
		return 0;
	len = get32((const uint8_t *)phys_ptr(addr) + 4);
	if (len < ACPI_HDR_LEN || !acpi_mapped(addr, len))
		return 0;
	return len;
}

bool acpi_table_ok(uint64_t addr)
{
	uint32_t len = acpi_table_len(addr);

	return len && len <= ACPI_TABLE_MAX_LEN &&
	       !acpi_byte_sum(phys_ptr(addr), len);
}

bool acpi_sig_is(uint64_t addr, const char sig[4])
{
	return acpi_mapped(addr, 4) && !memcmp(phys_ptr(addr), sig, 4);
}

bool acpi_root_get(uint64_t rsdp, struct acpi_root *root)
{
	const uint8_t *p = phys_ptr(rsdp);
	uint64_t xsdt = 0;
	uint32_t len;

	if (!acpi_mapped(rsdp, RSDP_V2_LEN))
		return false;
	if (get8(p + 15) >= 2)
		xsdt = get64(p + 24);
	root->xsdt = xsdt != 0;
	root->addr = xsdt ? xsdt : get32(p + 16);
	len = acpi_table_len(root->addr);
	if (!len)
		return false;
	root->entries = (len - ACPI_HDR_LEN) / (root->xsdt ? 8 : 4);
	return true;
}

uint64_t acpi_root_entry(const struct acpi_root *root, unsigned int i)
{
	const uint8_t *p = (const uint8_t *)phys_ptr(root->addr) + ACPI_HDR_LEN;

	if (i >= root->entries)
		return 0;
	return root->xsdt ? get64(p + 8 * i) : get32(p + 4 * i);
}

uint64_t acpi_find_table(const struct acpi_root *root, const char sig[4])
{
	unsigned int i;

	for (i = 0; i < root->entries; i++) {
		uint64_t t = acpi_root_entry(root, i);

		if (acpi_table_len(t) && acpi_sig_is(t, sig))
			return t;
	}
	return 0;
}

static void acpi_gas_read(struct acpi_gas *g, const uint8_t *p)
{
	g->space = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->addr = get64(p + 4);
}

bool acpi_fadt_parse(uint64_t fadt, struct acpi_fadt *f)
{
	const uint8_t *p = phys_ptr(fadt);
	uint32_t len = acpi_table_len(fadt);

	memset(f, 0, sizeof(*f));
	if (len < FADT_FLAGS + 4)
		return false;
	f->length = len;
	f->revision = p[8];
	f->dsdt = get32(p + FADT_DSDT);
	f->facs = get32(p + FADT_FIRMWARE_CTRL);
	f->sci_int = get16(p + FADT_SCI_INT);
	f->pm1a_cnt = get32(p + FADT_PM1A_CNT_BLK);
	f->flags = get32(p + FADT_FLAGS);
	if (len >= FADT_RESET_VALUE + 1) {
		acpi_gas_read(&f->reset, p + FADT_RESET_REG);
		f->reset_value = p[FADT_RESET_VALUE];
	}
	if (len >= FADT_MINOR_VERSION + 1)
		f->minor = p[FADT_MINOR_VERSION];
	if (len >= FADT_X_FIRMWARE_CTRL + 8 && get64(p + FADT_X_FIRMWARE_CTRL))
		f->facs = get64(p + FADT_X_FIRMWARE_CTRL);
	if (len >= FADT_X_DSDT + 8 && get64(p + FADT_X_DSDT))
		f->dsdt = get64(p + FADT_X_DSDT);
	if (len >= FADT_X_PM1A_CNT_BLK + 12)
		acpi_gas_read(&f->x_pm1a_cnt, p + FADT_X_PM1A_CNT_BLK);
	if (len >= FADT_LEN_V5) {
		f->has_sleep_regs = true;
		acpi_gas_read(&f->sleep_ctl, p + FADT_SLEEP_CONTROL_REG);
		acpi_gas_read(&f->sleep_sts, p + FADT_SLEEP_STATUS_REG);
	}
	return true;
}

/* Decode one AML integer constant at p (n bytes left); -1 if not one. */
static int acpi_aml_small_int(const uint8_t *p, uint32_t n)
{
	if (n < 1)
		return -1;
	switch (p[0]) {
	case AML_ZERO_OP:
		return 0;
	case AML_ONE_OP:
		return 1;
	case AML_ONES_OP:
		return 0xFF;
	case AML_BYTE_PREFIX:
	case AML_WORD_PREFIX:
		return n >= 2 ? p[1] : -1;
	default:
		return -1;
	}
}

int acpi_dsdt_s5(uint64_t dsdt)
{
	uint32_t len = acpi_table_len(dsdt), i, pkglen_bytes;
	const uint8_t *p = phys_ptr(dsdt);

	if (!len || len > ACPI_TABLE_MAX_LEN)
		return -1;
	/* NameOp "_S5_" PackageOp PkgLength NumElements SLP_TYPa ... */
	for (i = ACPI_HDR_LEN; i + 8 <= len; i++) {
		if (p[i] != '_' || memcmp(p + i, "_S5_", 4) ||
		    p[i + 4] != AML_PACKAGE_OP)
			continue;
		pkglen_bytes = 1 + (p[i + 5] >> 6);
		if (i + 5 + pkglen_bytes + 1 >= len)
			return -1;
		return acpi_aml_small_int(p + i + 5 + pkglen_bytes + 1,
					  len - (i + 5 + pkglen_bytes + 1));
	}
	return -1;
}

bool acpi_gas_write(const struct acpi_gas *g, uint32_t value)
{
	unsigned int width = g->bit_width ? g->bit_width : 8;

	if (g->space == ACPI_GAS_IO) {
		if (!g->addr || g->addr > 0xFFFF)
			return false;
		if (width <= 8)
			outb((uint16_t)g->addr, (uint8_t)value);
		else if (width <= 16)
			outw((uint16_t)g->addr, (uint16_t)value);
		else
			outl((uint16_t)g->addr, value);
		return true;
	}
	if (g->space == ACPI_GAS_MEM) {
		if (!acpi_mapped(g->addr, 4))
			return false;
		if (width <= 8)
			mmio_write8(g->addr, (uint8_t)value);
		else if (width <= 16)
			mmio_write16(g->addr, (uint16_t)value);
		else
			mmio_write32(g->addr, value);
		return true;
	}
	return false;
}
