// SPDX-License-Identifier: MIT
/* Unit tests of the AML encoder: byte-exact encodings (checked against what
 * iasl emits for the same ASL), PkgLength boundaries, bounds and errors. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "boot/aml.h"
#include "tests/unit/unit_main.h"

#define BUF 16384

static uint8_t buf[BUF + 64];

static void expect(struct aml *a, const uint8_t *want, size_t n)
{
	size_t i;

	ck_assert_msg(aml_error(a) == NULL, "AML error: %s", aml_error(a));
	ck_assert_uint_eq(aml_len(a), n);
	for (i = 0; i < n; i++)
		ck_assert_msg(a->buf[i] == want[i],
			      "byte %zu: got 0x%02x want 0x%02x", i,
			      a->buf[i], want[i]);
}

#define EXPECT(a, ...) do { \
	static const uint8_t w_[] = { __VA_ARGS__ }; \
	expect((a), w_, sizeof(w_)); \
} while (0)

static struct aml fresh(void)
{
	struct aml a;

	memset(buf, 0xcc, sizeof(buf));
	aml_init(&a, buf, BUF);
	return a;
}

START_TEST(test_pkglen_encode)
{
	struct { size_t len; unsigned int n; uint8_t b[4]; } c[] = {
		{ 0, 1, { 0x00 } },
		{ 1, 1, { 0x01 } },
		{ 63, 1, { 0x3f } },
		{ 64, 2, { 0x40, 0x04 } },
		{ 65, 2, { 0x41, 0x04 } },
		{ 4095, 2, { 0x4f, 0xff } },
		{ 4096, 3, { 0x80, 0x00, 0x01 } },
		{ 0xfffff, 3, { 0x8f, 0xff, 0xff } },
		{ 0x100000, 4, { 0xc0, 0x00, 0x00, 0x01 } },
		{ 0xfffffff, 4, { 0xcf, 0xff, 0xff, 0xff } },
		{ 0x10000000, 0, { 0 } },
		{ SIZE_MAX, 0, { 0 } },
	};
	unsigned int i, n;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint8_t out[4] = { 0 };

		n = aml_pkglen_encode(c[i].len, out);
		ck_assert_msg(n == c[i].n, "len %zu: %u bytes", c[i].len, n);
		ck_assert_mem_eq(out, c[i].b, n);
	}
}
END_TEST

/* A Package whose body (NumElements + elements) is body bytes. */
static void package_of(struct aml *a, size_t body)
{
	size_t i;

	aml_package_begin(a, (uint8_t)(body - 1));
	for (i = 1; i < body; i++)
		aml_byte(a, 0x00);	/* Zero */
	aml_end(a);
}

START_TEST(test_pkglen_backpatch_boundaries)
{
	/* body, PkgLength bytes expected */
	struct { size_t body; uint8_t hdr[4]; unsigned int n; } c[] = {
		{ 62, { 0x3f }, 1 },			/* total 63 */
		{ 63, { 0x41, 0x04 }, 2 },		/* 64 won't fit: 65 */
		{ 4093, { 0x4f, 0xff }, 2 },		/* total 4095 */
		{ 4094, { 0x81, 0x00, 0x01 }, 3 },	/* total 4097 */
		{ 10000, { 0x83, 0x71, 0x02 }, 3 },	/* 10003 = 0x2713 */
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct aml a = fresh();

		package_of(&a, c[i].body);
		ck_assert_ptr_null(aml_error(&a));
		ck_assert_uint_eq(aml_len(&a), 1 + c[i].n + c[i].body);
		ck_assert_uint_eq(buf[0], 0x12);
		ck_assert_mem_eq(buf + 1, c[i].hdr, c[i].n);
		ck_assert_uint_eq(buf[1 + c[i].n], (uint8_t)(c[i].body - 1));
		/* body slid down intact */
		ck_assert_uint_eq(buf[aml_len(&a) - 1], 0x00);
	}
}
END_TEST

START_TEST(test_integers)
{
	struct { uint64_t v; uint8_t b[9]; unsigned int n; } c[] = {
		{ 0, { 0x00 }, 1 },
		{ 1, { 0x01 }, 1 },
		{ 2, { 0x0a, 0x02 }, 2 },
		{ 0xff, { 0x0a, 0xff }, 2 },
		{ 0x100, { 0x0b, 0x00, 0x01 }, 3 },
		{ 0xffff, { 0x0b, 0xff, 0xff }, 3 },
		{ 0x10000, { 0x0c, 0x00, 0x00, 0x01, 0x00 }, 5 },
		{ 0xffffffff, { 0x0c, 0xff, 0xff, 0xff, 0xff }, 5 },
		{ 0x100000000ULL, { 0x0e, 0, 0, 0, 0, 1, 0, 0, 0 }, 9 },
		{ 0x0123456789abcdefULL,
		  { 0x0e, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01 }, 9 },
		{ UINT64_MAX - 1,
		  { 0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 9 },
		{ UINT64_MAX, { 0xff }, 1 },		/* Ones */
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct aml a = fresh();

		aml_integer(&a, c[i].v);
		expect(&a, c[i].b, c[i].n);
	}
}
END_TEST

START_TEST(test_eisaid)
{
	ck_assert_uint_eq(aml_eisaid("PNP0501"), 0x0105D041);
	ck_assert_uint_eq(aml_eisaid("PNP0A03"), 0x030AD041);
	ck_assert_uint_eq(aml_eisaid("PNP0C0F"), 0x0F0CD041);
	ck_assert_uint_eq(aml_eisaid("ACPI000"), 0);	/* too short */
	ck_assert_uint_eq(aml_eisaid("pnp0501"), 0);
	ck_assert_uint_eq(aml_eisaid("PNP050"), 0);
	ck_assert_uint_eq(aml_eisaid("PNP05011"), 0);
	ck_assert_uint_eq(aml_eisaid("PNP05G1"), 0);
	ck_assert_uint_eq(aml_eisaid("PNP05a1"), 0);
	ck_assert_uint_eq(aml_eisaid("P@P0501"), 0);
	ck_assert_uint_eq(aml_eisaid(""), 0);
	ck_assert_uint_eq(aml_eisaid(NULL), 0);
}
END_TEST

START_TEST(test_names)
{
	struct aml a = fresh();

	aml_namestring(&a, "_SB");
	aml_namestring(&a, "\\_SB.COM1");
	aml_namestring(&a, "^FOO");
	aml_namestring(&a, "\\");
	aml_namestring(&a, "\\A.B.C");
	aml_namestring(&a, "^^X1");
	EXPECT(&a, '_', 'S', 'B', '_',
	       0x5c, 0x2e, '_', 'S', 'B', '_', 'C', 'O', 'M', '1',
	       0x5e, 'F', 'O', 'O', '_',
	       0x5c, 0x00,
	       0x5c, 0x2f, 0x03, 'A', '_', '_', '_', 'B', '_', '_', '_',
	       'C', '_', '_', '_',
	       0x5e, 0x5e, 'X', '1', '_', '_');
}
END_TEST

START_TEST(test_bad_names)
{
	const char *bad[] = { "1ABC", "ABCDE", "a", "A..B", "A.", ".A",
			      "\\_SB.", "AB-C", "\\^A", NULL };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct aml a = fresh();

		aml_namestring(&a, bad[i]);
		ck_assert_msg(aml_error(&a) != NULL, "name %u accepted", i);
	}
}
END_TEST

START_TEST(test_string_and_name)
{
	struct aml a = fresh();

	aml_name_string(&a, "_HID", "LNRO0005");
	aml_name_integer(&a, "_UID", 3);
	aml_name_eisaid(&a, "_HID", "PNP0501");
	EXPECT(&a, 0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0',
	       '0', '0', '5', 0x00,
	       0x08, '_', 'U', 'I', 'D', 0x0a, 0x03,
	       0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01);

	a = fresh();
	aml_string(&a, "");
	EXPECT(&a, 0x0d, 0x00);

	a = fresh();
	aml_string(&a, "\xc3\xa9");
	ck_assert_ptr_nonnull(aml_error(&a));

	a = fresh();
	aml_name_eisaid(&a, "_HID", "PNP05011");
	ck_assert_ptr_nonnull(aml_error(&a));
}
END_TEST

START_TEST(test_s5_package)
{
	struct aml a = fresh();

	/* Name (\_S5, Package (0x04) { 0x05, Zero, Zero, Zero }) */
	aml_name(&a, "\\_S5");
	aml_package_begin(&a, 4);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);
	EXPECT(&a, 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a,
	       0x05, 0x00, 0x00, 0x00);
}
END_TEST

START_TEST(test_device_method_scope)
{
	struct aml a = fresh();

	/* Scope (\_SB) { Device (COM1) { Name (_HID, EisaId ("PNP0501"))
	 * Method (_STA, 0, NotSerialized) { Return (0x0F) } } } */
	aml_scope_begin(&a, "\\_SB");
	aml_device_begin(&a, "COM1");
	aml_name_eisaid(&a, "_HID", "PNP0501");
	aml_method_begin(&a, "_STA", 0, false);
	aml_return(&a);
	aml_integer(&a, 0x0f);
	aml_end(&a);
	aml_end(&a);
	aml_end(&a);
	EXPECT(&a, 0x10, 0x21, 0x5c, '_', 'S', 'B', '_',
	       0x5b, 0x82, 0x19, 'C', 'O', 'M', '1',
	       0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
	       0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f);

	a = fresh();
	aml_method_begin(&a, "FOO", 2, true);
	aml_end(&a);
	EXPECT(&a, 0x14, 0x06, 'F', 'O', 'O', '_', 0x0a);

	a = fresh();
	aml_method_begin(&a, "FOO", 8, false);
	aml_end(&a);
	ck_assert_ptr_nonnull(aml_error(&a));
}
END_TEST

/* The GED's building blocks (ACPI 6.4 section 20.2.5): byte for byte. */
START_TEST(test_region_field_and_ops)
{
	struct aml a = fresh();

	/* OperationRegion (EREG, SystemMemory, 0xD0010000, 0x04) */
	aml_operation_region(&a, "EREG", AML_SPACE_SYSTEM_MEMORY, 0xd0010000, 4);
	EXPECT(&a, 0x5b, 0x80, 'E', 'R', 'E', 'G', 0x00,
	       0x0c, 0x00, 0x00, 0x01, 0xd0, 0x0a, 0x04);

	/* Field (EREG, DWordAcc, NoLock, WriteAsZeros) { ESEL, 32 } */
	a = fresh();
	aml_field_begin(&a, "EREG", AML_FIELD_DWORD_ACC | AML_FIELD_WRITE_AS_ZEROS);
	aml_field_unit(&a, "ESEL", 32);
	aml_end(&a);
	EXPECT(&a, 0x5b, 0x81, 0x0b, 'E', 'R', 'E', 'G', 0x43,
	       'E', 'S', 'E', 'L', 0x20);

	/* A wide unit takes the two-byte length form. */
	a = fresh();
	aml_field_unit(&a, "WIDE", 0x123);
	EXPECT(&a, 'W', 'I', 'D', 'E', 0x43, 0x12);

	/* Store (ESEL, Local0); If (And (Local0, 2, Zero)) { Notify (PWRB, 0x80) } */
	a = fresh();
	aml_store(&a);
	aml_namestring(&a, "ESEL");
	aml_local(&a, 0);
	aml_if_begin(&a);
	aml_and(&a);
	aml_local(&a, 0);
	aml_integer(&a, 2);
	aml_integer(&a, 0);
	aml_notify(&a);
	aml_namestring(&a, "PWRB");
	aml_integer(&a, 0x80);
	aml_end(&a);
	EXPECT(&a, 0x70, 'E', 'S', 'E', 'L', 0x60,
	       0xa0, 0x0d, 0x7b, 0x60, 0x0a, 0x02, 0x00,
	       0x86, 'P', 'W', 'R', 'B', 0x0a, 0x80);

	/* Malformed: a unit name not 4 characters, zero bits, Local8. */
	a = fresh();
	aml_field_unit(&a, "ABC", 8);
	ck_assert_ptr_nonnull(aml_error(&a));
	a = fresh();
	aml_field_unit(&a, "ABCD", 0);
	ck_assert_ptr_nonnull(aml_error(&a));
	a = fresh();
	aml_local(&a, 8);
	ck_assert_ptr_nonnull(aml_error(&a));
}
END_TEST

START_TEST(test_buffer)
{
	struct aml a = fresh();
	uint8_t big[300];
	size_t i;

	aml_buffer_begin(&a);
	aml_end(&a);
	EXPECT(&a, 0x11, 0x02, 0x00);		/* Buffer (Zero) {} */

	a = fresh();
	aml_buffer_begin(&a);
	aml_bytes(&a, "\x01\x02\x03", 3);
	aml_end(&a);
	EXPECT(&a, 0x11, 0x06, 0x0a, 0x03, 0x01, 0x02, 0x03);

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	a = fresh();
	aml_buffer_begin(&a);
	aml_bytes(&a, big, sizeof(big));
	aml_end(&a);
	/* body 3 (WordConst 300) + 300 = 303 + 2 = 305 = 0x131 */
	ck_assert_ptr_null(aml_error(&a));
	ck_assert_uint_eq(aml_len(&a), 1 + 2 + 3 + 300);
	ck_assert_mem_eq(buf, "\x11\x41\x13\x0b\x2c\x01", 6);
	ck_assert_mem_eq(buf + 6, big, 300);
}
END_TEST

START_TEST(test_resource_template)
{
	struct aml a = fresh();
	size_t i;
	uint8_t sum = 0;

	/* ResourceTemplate () { IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
	 * IRQNoFlags () {4} } */
	aml_resource_template_begin(&a);
	aml_res_io(&a, 0x3f8, 0x3f8, 0, 8);
	aml_res_irq_noflags(&a, 4);
	aml_end(&a);
	EXPECT(&a, 0x11, 0x10, 0x0a, 0x0d,
	       0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,
	       0x22, 0x10, 0x00,
	       0x79, 0x0f);
	for (i = 4; i < aml_len(&a); i++)
		sum = (uint8_t)(sum + buf[i]);
	ck_assert_uint_eq(sum, 0);

	a = fresh();
	aml_resource_template_begin(&a);
	aml_res_memory32_fixed(&a, true, 0xd0000000, 0x1000);
	aml_res_interrupt(&a, true, true, false, 5);
	aml_res_memory32_fixed(&a, false, 0x12345678, 0x9abcdef0);
	aml_res_interrupt(&a, false, false, true, 0x11223344);
	aml_end(&a);
	sum = 0;
	EXPECT(&a, 0x11, 0x2f, 0x0a, 0x2c,
	       0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x10,
	       0x00, 0x00,
	       0x89, 0x06, 0x00, 0x03, 0x01, 0x05, 0x00, 0x00, 0x00,
	       0x86, 0x09, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde,
	       0xbc, 0x9a,
	       0x89, 0x06, 0x00, 0x0d, 0x01, 0x44, 0x33, 0x22, 0x11,
	       0x79, 0x71);
	for (i = 4; i < aml_len(&a); i++)
		sum = (uint8_t)(sum + buf[i]);
	ck_assert_uint_eq(sum, 0);

	a = fresh();
	aml_res_irq_noflags(&a, 16);
	ck_assert_ptr_nonnull(aml_error(&a));
}
END_TEST

START_TEST(test_irq_mask)
{
	unsigned int irq;

	for (irq = 0; irq < 16; irq++) {
		struct aml a = fresh();

		aml_res_irq_noflags(&a, (uint8_t)irq);
		ck_assert_ptr_null(aml_error(&a));
		ck_assert_uint_eq(buf[0], 0x22);
		ck_assert_uint_eq(buf[1] | buf[2] << 8, 1u << irq);
	}
}
END_TEST

/* A DSDT-like body exercising every container. */
static void sample(struct aml *a)
{
	aml_scope_begin(a, "\\_SB");
	aml_device_begin(a, "VR00");
	aml_name_string(a, "_HID", "LNRO0005");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	aml_resource_template_begin(a);
	aml_res_memory32_fixed(a, true, 0xd0000000, 0x1000);
	aml_res_interrupt(a, true, true, false, 5);
	aml_end(a);
	aml_method_begin(a, "_STA", 0, false);
	aml_return(a);
	aml_integer(a, 0x0f);
	aml_end(a);
	aml_end(a);
	aml_end(a);
	aml_name(a, "\\_S5");
	aml_package_begin(a, 4);
	aml_integer(a, 5);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a);
}

START_TEST(test_bounded_every_size)
{
	static uint8_t ref[512], out[512 + 64];
	struct aml a;
	size_t full, size, i;

	aml_init(&a, ref, sizeof(ref));
	sample(&a);
	ck_assert_ptr_null(aml_error(&a));
	full = aml_len(&a);
	ck_assert_uint_gt(full, 40);

	for (size = 0; size <= full + 16; size++) {
		memset(out, 0x5a, sizeof(out));
		aml_init(&a, out, size);
		sample(&a);
		for (i = size; i < sizeof(out); i++)
			ck_assert_msg(out[i] == 0x5a,
				      "size %zu: wrote byte %zu", size, i);
		if (size < full + 9) {
			/* The reserved header room may need a few more. */
			if (!aml_error(&a))
				ck_assert_mem_eq(out, ref, full);
			if (size < full)
				ck_assert_str_eq(aml_error(&a), "AML buffer full");
		} else {
			ck_assert_ptr_null(aml_error(&a));
			ck_assert_uint_eq(aml_len(&a), full);
			ck_assert_mem_eq(out, ref, full);
		}
	}
}
END_TEST

START_TEST(test_nesting_errors)
{
	struct aml a = fresh();
	unsigned int i;

	aml_end(&a);
	ck_assert_str_eq(aml_error(&a), "AML end without begin");
	/* sticky: nothing more is written */
	aml_byte(&a, 1);
	ck_assert_uint_eq(aml_len(&a), 0);

	a = fresh();
	for (i = 0; i < AML_MAX_DEPTH; i++)
		aml_package_begin(&a, 1);
	ck_assert_ptr_null(aml_error(&a));
	aml_package_begin(&a, 1);
	ck_assert_str_eq(aml_error(&a), "AML nested too deep");

	/* deep but legal nesting backpatches every level */
	a = fresh();
	for (i = 0; i < AML_MAX_DEPTH; i++)
		aml_package_begin(&a, 1);
	aml_integer(&a, 0);
	for (i = 0; i < AML_MAX_DEPTH; i++)
		aml_end(&a);
	ck_assert_ptr_null(aml_error(&a));
	ck_assert_uint_eq(aml_len(&a), AML_MAX_DEPTH * 3 + 1);
	for (i = 0; i < AML_MAX_DEPTH; i++) {
		ck_assert_uint_eq(buf[3 * i], 0x12);
		ck_assert_uint_eq(buf[3 * i + 1], (AML_MAX_DEPTH - i) * 3);
		ck_assert_uint_eq(buf[3 * i + 2], 1);
	}

	aml_init(&a, NULL, 100);
	aml_byte(&a, 1);
	ck_assert_ptr_nonnull(aml_error(&a));
}
END_TEST

static Suite *aml_suite(void)
{
	Suite *s = suite_create("aml");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pkglen_encode);
	tcase_add_test(tc, test_pkglen_backpatch_boundaries);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_eisaid);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_string_and_name);
	tcase_add_test(tc, test_s5_package);
	tcase_add_test(tc, test_device_method_scope);
	tcase_add_test(tc, test_region_field_and_ops);
	tcase_add_test(tc, test_buffer);
	tcase_add_test(tc, test_resource_template);
	tcase_add_test(tc, test_irq_mask);
	tcase_add_test(tc, test_bounded_every_size);
	tcase_add_test(tc, test_nesting_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(aml_suite());
}
