// SPDX-License-Identifier: MIT
/* Unit tests of the ACPI table builder: checksums, RSDP/XSDT links, FADT
 * fields, MADT entries for 1..255 vCPUs (and x2APIC ids), DSDT contents,
 * bounds, a walker over corrupted images, and an iasl round trip. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot/acpi.h"
#include "boot/aml.h"
#include "boot/layout.h"
#include "tests/unit/unit_main.h"

#define GPA LAYOUT_ACPI_ADDR
#define IMG_MAX LAYOUT_ACPI_SIZE

static uint8_t img[IMG_MAX + 64];
static uint32_t ids[4096];
static struct acpi_virtio_mmio vio[LAYOUT_VIRTIO_MMIO_MAX];

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static struct acpi_config config(unsigned int cpus, unsigned int nvirtio)
{
	struct acpi_config c = {
		.nr_cpus = cpus, .apic_ids = ids,
		.ioapic_addr = LAYOUT_IOAPIC_ADDR, .ioapic_id = 0,
		.lapic_addr = LAYOUT_LAPIC_ADDR,
		.serial_port = PORT_COM1, .serial_irq = IRQ_COM1,
		.virtio = vio, .nr_virtio = nvirtio,
		.ged_addr = LAYOUT_GED_ADDR, .ged_gsi = IRQ_GED,
	};
	unsigned int i;

	for (i = 0; i < 4096; i++)
		ids[i] = i;
	for (i = 0; i < LAYOUT_VIRTIO_MMIO_MAX; i++) {
		vio[i].base = LAYOUT_VIRTIO_MMIO_BASE + i * LAYOUT_VIRTIO_MMIO_SIZE;
		vio[i].size = LAYOUT_VIRTIO_MMIO_SIZE;
		vio[i].gsi = IRQ_VIRTIO_MMIO_BASE + i;
	}
	return c;
}

/* The tables of one image, as the walker sees them. */
struct tables {
	const uint8_t *xsdt, *fadt, *dsdt, *madt;
	size_t xsdt_len, fadt_len, dsdt_len, madt_len;
	unsigned int count, others;
	unsigned int stop_after;	/* 0: never */
};

static int collect(void *opaque, const char sig[4], const void *t, size_t len)
{
	struct tables *ts = opaque;

	ck_assert_mem_eq(sig, t, 4);
	ck_assert_uint_eq(get32((const uint8_t *)t + 4), len);
	ck_assert_uint_eq(sum(t, len), 0);
	if (!memcmp(sig, "XSDT", 4)) {
		ck_assert_ptr_null(ts->xsdt);
		ts->xsdt = t; ts->xsdt_len = len;
	} else if (!memcmp(sig, "FACP", 4)) {
		ck_assert_ptr_null(ts->fadt);
		ts->fadt = t; ts->fadt_len = len;
	} else if (!memcmp(sig, "DSDT", 4)) {
		ck_assert_ptr_null(ts->dsdt);
		ts->dsdt = t; ts->dsdt_len = len;
	} else if (!memcmp(sig, "APIC", 4)) {
		ck_assert_ptr_null(ts->madt);
		ts->madt = t; ts->madt_len = len;
	} else {
		ts->others++;
	}
	ts->count++;
	return ts->stop_after && ts->count == ts->stop_after;
}

static size_t build(const struct acpi_config *c, struct tables *ts)
{
	size_t n;

	memset(img, 0xee, sizeof(img));
	n = acpi_build_tables(img, IMG_MAX, GPA, c);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, IMG_MAX);
	memset(ts, 0, sizeof(*ts));
	ck_assert_int_eq(acpi_for_each_table(img, n, GPA, collect, ts), 0);
	ck_assert_uint_eq(ts->count, 4);
	ck_assert_uint_eq(ts->others, 0);
	ck_assert_ptr_nonnull(ts->fadt);
	ck_assert_ptr_nonnull(ts->dsdt);
	ck_assert_ptr_nonnull(ts->madt);
	return n;
}

static uint64_t gpa_of(const uint8_t *t)
{
	return GPA + (uint64_t)(t - img);
}

START_TEST(test_rsdp_xsdt)
{
	struct acpi_config c = config(2, 2);
	struct tables ts;
	size_t n = build(&c, &ts);

	ck_assert_mem_eq(img, "RSD PTR ", 8);
	ck_assert_uint_eq(sum(img, 20), 0);
	ck_assert_uint_eq(sum(img, 36), 0);
	ck_assert_mem_eq(img + 9, "MINVMM", 6);
	ck_assert_uint_eq(img[15], 2);			/* revision: ACPI 2+ */
	ck_assert_uint_eq(get32(img + 20), 36);		/* length */
	ck_assert_uint_eq(get64(img + 24), gpa_of(ts.xsdt));
	/* the legacy scan finds it: 16-byte aligned in 0xE0000-0xFFFFF */
	ck_assert_uint_eq(GPA % 16, 0);

	ck_assert_uint_eq(ts.xsdt_len, 36 + 16);
	ck_assert_uint_eq(get64(ts.xsdt + 36), gpa_of(ts.fadt));
	ck_assert_uint_eq(get64(ts.xsdt + 44), gpa_of(ts.madt));
	ck_assert(gpa_of(ts.madt) + ts.madt_len <= GPA + n);
	/* every table: OEM ids, 8-byte aligned, checksum (in collect) */
	ck_assert_mem_eq(ts.xsdt + 10, "MINVMM", 6);
	ck_assert_mem_eq(ts.fadt + 10, "MINVMM", 6);
	ck_assert_mem_eq(ts.dsdt + 10, "MINVMM", 6);
	ck_assert_mem_eq(ts.madt + 10, "MINVMM", 6);
	ck_assert_uint_eq((ts.fadt - img) % 8, 0);
	ck_assert_uint_eq((ts.madt - img) % 8, 0);
	/* nothing written past the returned size */
	ck_assert_uint_eq(img[n], 0xee);
}
END_TEST

static void expect_gas_io8(const uint8_t *g, uint16_t port)
{
	ck_assert_uint_eq(g[0], 1);		/* System I/O */
	ck_assert_uint_eq(g[1], 8);		/* bit width */
	ck_assert_uint_eq(g[2], 0);		/* bit offset */
	ck_assert_uint_eq(g[3], 1);		/* byte access */
	ck_assert_uint_eq(get64(g + 4), port);
}

START_TEST(test_fadt)
{
	struct acpi_config c = config(1, 0);
	struct tables ts;
	const uint8_t *f;
	uint32_t flags;
	unsigned int i;

	build(&c, &ts);
	f = ts.fadt;
	ck_assert_uint_eq(ts.fadt_len, 276);
	ck_assert_uint_eq(f[8], 6);			/* major revision */
	ck_assert_uint_eq(f[131], 3);			/* minor version */
	flags = get32(f + 112);
	ck_assert(flags & (1u << 20));			/* HW_REDUCED_ACPI */
	ck_assert(flags & (1u << 10));			/* RESET_REG_SUP */
	ck_assert(!(get16(f + 109) & (1u << 1)));	/* no 8042 probe */
	ck_assert(get16(f + 109) & (1u << 2));		/* no VGA */
	ck_assert(!(get16(f + 109) & (1u << 0)));	/* no LEGACY_DEVICES */
	expect_gas_io8(f + 116, PORT_ACPI_RESET);
	ck_assert_uint_eq(f[128], ACPI_RESET_VALUE);
	expect_gas_io8(f + 244, PORT_ACPI_SLEEP_CTL);
	expect_gas_io8(f + 256, PORT_ACPI_SLEEP_STS);
	ck_assert_uint_eq(get64(f + 140), gpa_of(ts.dsdt));	/* X_DSDT */
	ck_assert_uint_eq(get32(f + 40), 0);		/* 32-bit DSDT unused */
	/* hardware-reduced: no fixed blocks, no SCI, no FACS */
	ck_assert_uint_eq(get16(f + 46), 0);
	for (i = 36; i < 40; i++)
		ck_assert_uint_eq(f[i], 0);
	for (i = 56; i < 96; i++)
		ck_assert_msg(f[i] == 0, "byte %u", i);
	for (i = 132; i < 140; i++)
		ck_assert_uint_eq(f[i], 0);
	for (i = 148; i < 244; i++)
		ck_assert_msg(f[i] == 0, "byte %u", i);
}
END_TEST

/* Walk the MADT's entries; returns the count of the given type. */
static unsigned int madt_count(const uint8_t *m, size_t len, uint8_t type)
{
	size_t off = 44;
	unsigned int n = 0;

	while (off < len) {
		ck_assert_uint_ge(m[off + 1], 2);
		ck_assert_uint_le(off + m[off + 1], len);
		if (m[off] == type)
			n++;
		off += m[off + 1];
	}
	ck_assert_uint_eq(off, len);
	return n;
}

static const uint8_t *madt_find(const uint8_t *m, size_t len, uint8_t type,
				unsigned int nth)
{
	size_t off = 44;

	for (; off < len; off += m[off + 1])
		if (m[off] == type && nth-- == 0)
			return m + off;
	return NULL;
}

START_TEST(test_madt_cpus)
{
	static const unsigned int cpus[] = { 1, 2, 8, 255 };
	unsigned int k, i;

	for (k = 0; k < sizeof(cpus) / sizeof(cpus[0]); k++) {
		struct acpi_config c = config(cpus[k], 3);
		struct tables ts;
		const uint8_t *m, *e;

		c.ioapic_id = (uint8_t)k;
		build(&c, &ts);
		m = ts.madt;
		ck_assert_uint_eq(get32(m + 36), LAYOUT_LAPIC_ADDR);
		ck_assert_uint_eq(get32(m + 40), 1);		/* PCAT_COMPAT */
		ck_assert_uint_eq(madt_count(m, ts.madt_len, 0), cpus[k]);
		ck_assert_uint_eq(madt_count(m, ts.madt_len, 9), 0);
		for (i = 0; i < cpus[k]; i++) {
			e = madt_find(m, ts.madt_len, 0, i);
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], i);		/* UID */
			ck_assert_uint_eq(e[3], i);		/* APIC id */
			ck_assert_uint_eq(get32(e + 4), 1);	/* enabled */
		}
		ck_assert_uint_eq(madt_count(m, ts.madt_len, 1), 1);
		e = madt_find(m, ts.madt_len, 1, 0);
		ck_assert_uint_eq(e[1], 12);
		ck_assert_uint_eq(e[2], c.ioapic_id);
		ck_assert_uint_eq(get32(e + 4), LAYOUT_IOAPIC_ADDR);
		ck_assert_uint_eq(get32(e + 8), 0);		/* GSI base */
		ck_assert_uint_eq(madt_count(m, ts.madt_len, 2), 1);
		e = madt_find(m, ts.madt_len, 2, 0);
		ck_assert_uint_eq(e[1], 10);
		ck_assert_uint_eq(e[2], 0);			/* ISA */
		ck_assert_uint_eq(e[3], 0);			/* IRQ 0 */
		ck_assert_uint_eq(get32(e + 4), 2);		/* GSI 2 */
		ck_assert_uint_eq(get16(e + 8), 0x5);		/* edge, high */
		ck_assert_uint_eq(madt_count(m, ts.madt_len, 4), 1);
		e = madt_find(m, ts.madt_len, 4, 0);
		ck_assert_uint_eq(e[1], 6);
		ck_assert_uint_eq(e[2], 0xff);			/* all CPUs */
		ck_assert_uint_eq(e[5], 1);			/* LINT1 */
	}
}
END_TEST

START_TEST(test_madt_x2apic)
{
	struct acpi_config c = config(4, 0);
	struct tables ts;
	const uint8_t *e;

	ids[0] = 0;
	ids[1] = 254;
	ids[2] = 255;
	ids[3] = 0x12345;
	build(&c, &ts);
	ck_assert_uint_eq(madt_count(ts.madt, ts.madt_len, 0), 2);
	ck_assert_uint_eq(madt_count(ts.madt, ts.madt_len, 9), 2);
	ck_assert_uint_eq(madt_count(ts.madt, ts.madt_len, 10), 1);
	e = madt_find(ts.madt, ts.madt_len, 0, 1);
	ck_assert_uint_eq(e[2], 1);
	ck_assert_uint_eq(e[3], 254);
	e = madt_find(ts.madt, ts.madt_len, 9, 0);
	ck_assert_uint_eq(e[1], 16);
	ck_assert_uint_eq(get32(e + 4), 255);
	ck_assert_uint_eq(get32(e + 8), 1);
	ck_assert_uint_eq(get32(e + 12), 2);			/* UID */
	e = madt_find(ts.madt, ts.madt_len, 9, 1);
	ck_assert_uint_eq(get32(e + 4), 0x12345);
	ck_assert_uint_eq(get32(e + 12), 3);
	e = madt_find(ts.madt, ts.madt_len, 10, 0);
	ck_assert_uint_eq(e[1], 12);
	ck_assert_uint_eq(get32(e + 4), 0xffffffff);
	ck_assert_uint_eq(e[8], 1);

	/* more than 255 vCPUs: UIDs past 254 need x2APIC entries too */
	c = config(300, 0);
	build(&c, &ts);
	ck_assert_uint_eq(madt_count(ts.madt, ts.madt_len, 0), 255);
	ck_assert_uint_eq(madt_count(ts.madt, ts.madt_len, 9), 45);
}
END_TEST

static unsigned int count_bytes(const uint8_t *h, size_t hn, const void *n,
				size_t nn)
{
	unsigned int c = 0;
	size_t i;

	for (i = 0; i + nn <= hn; i++)
		if (!memcmp(h + i, n, nn))
			c++;
	return c;
}

START_TEST(test_dsdt_pvpanic)
{
	/* IO(Decode16, 0x505, 0x505, 1, 1) and the _HID string. */
	static const uint8_t io[] = { 0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 0x01, 0x01 };
	struct acpi_config c = config(1, 0);
	struct tables ts;

	build(&c, &ts);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, "QEMU0001", 9), 0);
	c.pvpanic_port = 0x505;
	build(&c, &ts);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, "PEVT", 4), 1);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, "QEMU0001", 9), 1);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, io, sizeof(io)), 1);
}
END_TEST

START_TEST(test_dsdt)
{
	static const uint8_t s5[] = { 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x07,
				      0x04, 0x0a, 0x05, 0x00, 0x00, 0x00 };
	static const uint8_t com1[] = { 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00,
					0x08, 0x22, 0x10, 0x00 };
	static const uint8_t pnp0501[] = { 0x08, '_', 'H', 'I', 'D', 0x0c,
					   0x41, 0xd0, 0x05, 0x01 };
	struct acpi_config c = config(2, LAYOUT_VIRTIO_MMIO_MAX);
	struct tables ts;
	unsigned int i;

	build(&c, &ts);
	ck_assert_uint_eq(ts.dsdt[8], 2);		/* 64-bit integers */
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, s5, sizeof(s5)), 1);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, com1, sizeof(com1)), 1);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, pnp0501,
				      sizeof(pnp0501)), 1);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, "LNRO0005", 9),
			  LAYOUT_VIRTIO_MMIO_MAX);
	for (i = 0; i < LAYOUT_VIRTIO_MMIO_MAX; i++) {
		uint8_t mem[12] = { 0x86, 0x09, 0x00, 0x01 }, irq[9] = {
			0x89, 0x06, 0x00, 0x03, 0x01 };
		char name[5];

		memcpy(mem + 4, &(uint32_t){ (uint32_t)vio[i].base }, 4);
		memcpy(mem + 8, &(uint32_t){ vio[i].size }, 4);
		memcpy(irq + 5, &(uint32_t){ vio[i].gsi }, 4);
		ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, mem, 12), 1);
		ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, irq, 9), 1);
		snprintf(name, sizeof(name), "VR%02X", i);
		ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, name, 4), 1);
	}

	/* no serial port, no virtio: only \_SB and \_S5 */
	c = config(1, 0);
	c.serial_port = 0;
	build(&c, &ts);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, "COM1", 4), 0);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, "LNRO", 4), 0);
	ck_assert_uint_eq(count_bytes(ts.dsdt, ts.dsdt_len, s5, sizeof(s5)), 1);
}
END_TEST

START_TEST(test_other_gpa)
{
	struct acpi_config c = config(2, 1);
	struct tables ts;
	size_t n;

	memset(img, 0, sizeof(img));
	n = acpi_build_tables(img, IMG_MAX, 0x7fff0000ULL, &c);
	ck_assert_uint_gt(n, 0);
	memset(&ts, 0, sizeof(ts));
	ck_assert_int_eq(acpi_for_each_table(img, n, 0x7fff0000ULL, collect, &ts), 0);
	ck_assert_uint_eq(ts.count, 4);
	ck_assert_uint_eq(get64(img + 24), 0x7fff0000ULL + (uint64_t)(ts.xsdt - img));
	/* the same image at the wrong address is malformed */
	memset(&ts, 0, sizeof(ts));
	ck_assert_int_eq(acpi_for_each_table(img, n, GPA, collect, &ts), -1);
}
END_TEST

START_TEST(test_too_small)
{
	static uint8_t out[IMG_MAX + 64];
	struct acpi_config c = config(8, 4);
	struct tables ts;
	size_t full = build(&c, &ts), size, i;

	for (size = 0; size < full; size++) {
		memset(out, 0x5a, sizeof(out));
		ck_assert_msg(acpi_build_tables(out, size, GPA, &c) == 0,
			      "size %zu accepted", size);
		for (i = size; i < full + 64; i++)
			ck_assert_msg(out[i] == 0x5a, "size %zu: wrote %zu", size, i);
	}
	ck_assert_uint_eq(acpi_build_tables(out, full, GPA, &c), full);
	ck_assert_mem_eq(out, img, full);
	ck_assert_uint_eq(acpi_build_tables(NULL, full, GPA, &c), 0);
}
END_TEST

START_TEST(test_bad_config)
{
	struct acpi_config c = config(2, 2);

	ck_assert_uint_eq(acpi_build_tables(img, IMG_MAX, GPA, NULL), 0);
	c.nr_cpus = 0;
	ck_assert_uint_eq(acpi_build_tables(img, IMG_MAX, GPA, &c), 0);
	c = config(2, 2);
	c.apic_ids = NULL;
	ck_assert_uint_eq(acpi_build_tables(img, IMG_MAX, GPA, &c), 0);
	c = config(2, 2);
	c.virtio = NULL;
	ck_assert_uint_eq(acpi_build_tables(img, IMG_MAX, GPA, &c), 0);
	c = config(2, 2);
	vio[1].base = 0x100000000ULL;
	ck_assert_uint_eq(acpi_build_tables(img, IMG_MAX, GPA, &c), 0);
	c = config(2, 2);
	vio[1].base = 0xfffff000;
	vio[1].size = 0x2000;
	ck_assert_uint_eq(acpi_build_tables(img, IMG_MAX, GPA, &c), 0);
	c = config(2, 2);
	c.ioapic_addr = 0x100000000ULL;
	ck_assert_uint_eq(acpi_build_tables(img, IMG_MAX, GPA, &c), 0);
	c = config(2, 2);
	c.serial_irq = 20;		/* beyond IRQNoFlags: Interrupt() */
	ck_assert_uint_gt(acpi_build_tables(img, IMG_MAX, GPA, &c), 0);
}
END_TEST

START_TEST(test_walker_stops_and_rejects)
{
	static uint8_t copy[IMG_MAX];
	struct acpi_config c = config(2, 2);
	struct tables ts;
	size_t n = build(&c, &ts), off;
	size_t offs[4];
	unsigned int i;

	/* stop on the first non-zero return */
	memset(&ts, 0, sizeof(ts));
	ts.stop_after = 2;
	ck_assert_int_eq(acpi_for_each_table(img, n, GPA, collect, &ts), 0);
	ck_assert_uint_eq(ts.count, 2);

	build(&c, &ts);
	offs[0] = (size_t)(ts.xsdt - img);
	offs[1] = (size_t)(ts.fadt - img);
	offs[2] = (size_t)(ts.dsdt - img);
	offs[3] = (size_t)(ts.madt - img);
	/* a flipped byte anywhere in a table or the RSDP is caught */
	for (i = 0; i < 4; i++) {
		memcpy(copy, img, n);
		copy[offs[i] + 20] ^= 0x40;
		memset(&ts, 0, sizeof(ts));
		ck_assert_int_eq(acpi_for_each_table(copy, n, GPA, collect, &ts), -1);
	}
	for (off = 0; off < 36; off++) {
		memcpy(copy, img, n);
		copy[off] ^= 0x01;
		ck_assert_msg(acpi_for_each_table(copy, n, GPA, collect,
						  &(struct tables){ 0 }) == -1,
			      "RSDP byte %zu", off);
	}
	/* truncated images */
	ck_assert_int_eq(acpi_for_each_table(img, 20, GPA, collect,
					     &(struct tables){ 0 }), -1);
	ck_assert_int_eq(acpi_for_each_table(img, offs[3] + 40, GPA, collect,
					     &(struct tables){ 0 }), -1);
	ck_assert_int_eq(acpi_for_each_table(NULL, n, GPA, collect, NULL), -1);
	/* a table length pointing outside, with a "fixed" checksum */
	memcpy(copy, img, n);
	copy[offs[3] + 4] = 0xff;
	copy[offs[3] + 5] = 0xff;
	copy[offs[3] + 9] = (uint8_t)(copy[offs[3] + 9] - 0xff * 2 +
				      img[offs[3] + 4] + img[offs[3] + 5]);
	ck_assert_int_eq(acpi_for_each_table(copy, n, GPA, collect,
					     &(struct tables){ 0 }), -1);
	/* XSDT entry pointing below the image */
	memcpy(copy, img, n);
	copy[offs[0] + 36 + 8 + 2] ^= 0x0f;
	copy[offs[0] + 9] = (uint8_t)(copy[offs[0] + 9] - (copy[offs[0] + 36 + 8 + 2] -
				      img[offs[0] + 36 + 8 + 2]));
	ck_assert_uint_eq(sum(copy + offs[0], ts.xsdt_len ? ts.xsdt_len : 52), 0);
	ck_assert_int_eq(acpi_for_each_table(copy, n, GPA, collect,
					     &(struct tables){ 0 }), -1);
}
END_TEST

/* ---- iasl round trip ---- */

static int run(const char *cmd, char *out, size_t outsz)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	ck_assert_msg(p != NULL, "popen %s", cmd);
	while (n + 1 < outsz && !feof(p)) {
		size_t r = fread(out + n, 1, outsz - 1 - n, p);

		if (!r)
			break;
		n += r;
	}
	out[n] = 0;
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct iasl_ctx {
	const char *dir;
	unsigned int n;
};

static int iasl_one(void *opaque, const char sig[4], const void *t, size_t len)
{
	struct iasl_ctx *ctx = opaque;
	static char out[65536];
	char path[512], cmd[1200];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%.4s.dat", ctx->dir, sig);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(t, 1, len, f), len);
	fclose(f);

	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -d %.4s.dat 2>&1", ctx->dir, sig);
	rc = run(cmd, out, sizeof(out));
	ck_assert_msg(rc == 0, "iasl -d %.4s: exit %d\n%s", sig, rc, out);
	ck_assert_msg(!strstr(out, "Error") && !strstr(out, "Warning") &&
		      !strstr(out, "does not contain a valid"),
		      "iasl -d %.4s:\n%s", sig, out);
	/* ... and the disassembly compiles back cleanly */
	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl %.4s.dsl 2>&1", ctx->dir, sig);
	rc = run(cmd, out, sizeof(out));
	ck_assert_msg(rc == 0 && strstr(out, " 0 Errors, 0 Warnings"),
		      "iasl %.4s.dsl: exit %d\n%s", sig, rc, out);
	ctx->n++;
	return 0;
}

START_TEST(test_iasl_round_trip)
{
	static const unsigned int cpus[] = { 1, 8, 255 };
	char dir[] = "/tmp/minivmm-acpi-XXXXXX", cmd[128], out[4096];
	unsigned int k;

	ck_assert_msg(run("command -v iasl 2>&1", out, sizeof(out)) == 0,
		      "iasl not found: install acpica-tools (scripts/install-deps.sh)");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (k = 0; k < sizeof(cpus) / sizeof(cpus[0]); k++) {
		struct acpi_config c = config(cpus[k], k ? LAYOUT_VIRTIO_MMIO_MAX : 0);
		struct iasl_ctx ctx = { dir, 0 };
		size_t n = acpi_build_tables(img, IMG_MAX, GPA, &c);

		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(acpi_for_each_table(img, n, GPA, iasl_one, &ctx), 0);
		ck_assert_uint_eq(ctx.n, 4);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

struct dsdt_dump {
	const char *dir;
};

static int write_dsdt(void *opaque, const char sig[4], const void *t,
		      size_t len)
{
	struct dsdt_dump *d = opaque;
	char path[512];
	FILE *f;

	if (memcmp(sig, "DSDT", 4))
		return 0;
	snprintf(path, sizeof(path), "%s/DSDT.dat", d->dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(t, 1, len, f), len);
	fclose(f);
	return 0;
}

/* The disassembled DSDT of c, in out. */
static void dsdt_disassembly(const struct acpi_config *c, char *out, size_t size)
{
	char dir[] = "/tmp/minivmm-ged-XXXXXX", cmd[600];
	struct dsdt_dump d = { dir };
	size_t n = acpi_build_tables(img, IMG_MAX, GPA, c);

	ck_assert_uint_gt(n, 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(acpi_for_each_table(img, n, GPA, write_dsdt, &d), 0);
	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -d DSDT.dat >/dev/null 2>&1 && "
		 "cat DSDT.dsl; rm -rf '%s'", dir, dir);
	ck_assert_int_eq(run(cmd, out, size), 0);
}

/*
 * The power button, as Linux's ACPI GED and button drivers expect it (and
 * QEMU's microvm describes it): ACPI0013 with an edge interrupt, _EVT
 * reading the selector and notifying a PNP0C0C device with 0x80.
 */
START_TEST(test_iasl_power_button)
{
	static char out[65536];
	static const char *const want[] = {
		"Device (GED)", "Name (_HID, \"ACPI0013\"",
		"Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )",
		"0x00000016,",
		"OperationRegion (EREG, SystemMemory, 0xD0010000, 0x04)",
		"Field (EREG, DWordAcc, NoLock, WriteAsZeros)", "ESEL,   32",
		"Method (_EVT, 1, Serialized)", "Local0 = ESEL",
		"If ((Local0 & 0x02))", "Notify (\\_SB.PWRB, 0x80)",
		"Device (PWRB)", "EisaId (\"PNP0C0C\")",
	};
	struct acpi_config c = config(2, 1);

	dsdt_disassembly(&c, out, sizeof(out));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(out, want[i]), "DSDT lacks '%s':\n%s",
			      want[i], out);
	c.ged_addr = 0;
	dsdt_disassembly(&c, out, sizeof(out));
	ck_assert_ptr_null(strstr(out, "ACPI0013"));
	ck_assert_ptr_null(strstr(out, "PNP0C0C"));
}
END_TEST

static int count_only(void *opaque, const char sig[4], const void *t,
		      size_t len)
{
	(void)sig;
	(void)t;
	(void)len;
	(*(unsigned int *)opaque)++;
	return 0;
}

/* Random corruption: the walker answers 0 or -1, reading only inside buf
 * (an exact-size heap copy, so the sanitizer build catches over-reads). */
START_TEST(test_walker_random_corruption)
{
	struct acpi_config c = config(4, 4);
	struct tables ts;
	size_t n = build(&c, &ts);
	uint32_t x = 42;
	unsigned int round, k;

	for (round = 0; round < 3000; round++) {
		size_t size = n;
		uint8_t *copy;
		unsigned int calls = 0;
		int rc;

		x = x * 1103515245 + 12345;
		if (round % 3 == 0)
			size = (x >> 8) % (n + 1);
		copy = malloc(size ? size : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, img, size);
		for (k = 0; k < 1 + round % 4 && size; k++) {
			x = x * 1103515245 + 12345;
			copy[(x >> 8) % size] ^= (uint8_t)(1u << (x % 8));
		}
		rc = acpi_for_each_table(copy, size, GPA, count_only, &calls);
		ck_assert(rc == 0 || rc == -1);
		ck_assert_uint_le(calls, 4);
		free(copy);
	}
}
END_TEST

static Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rsdp_xsdt);
	tcase_add_test(tc, test_fadt);
	tcase_add_test(tc, test_madt_cpus);
	tcase_add_test(tc, test_madt_x2apic);
	tcase_add_test(tc, test_dsdt);
	tcase_add_test(tc, test_dsdt_pvpanic);
	tcase_add_test(tc, test_other_gpa);
	tcase_add_test(tc, test_too_small);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_walker_stops_and_rejects);
	tcase_add_test(tc, test_walker_random_corruption);
	tcase_add_test(tc, test_iasl_round_trip);
	tcase_add_test(tc, test_iasl_power_button);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(acpi_suite());
}
