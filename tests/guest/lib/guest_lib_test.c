// SPDX-License-Identifier: MIT
/*
 * Host unit tests of the freestanding test-guest library: checksums,
 * command-line words, printf formatting, string helpers and the ACPI
 * readers against hand-made and hostile tables (built below 4 GiB with
 * MAP_32BIT, where the readers expect physical addresses).
 */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_checksum.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_serial.h"
#include "tests/guest/lib/guest_string.h"

/* guest_string.c is built with its mem* functions renamed (see CMake). */
void *guest_test_memcpy(void *dst, const void *src, size_t n);
void *guest_test_memmove(void *dst, const void *src, size_t n);
void *guest_test_memset(void *dst, int c, size_t n);
int guest_test_memcmp(const void *a, const void *b, size_t n);

/* Serial stub: guest_printf output lands here. */
static char serial_buf[8192];
static size_t serial_len;

void serial_init(void)
{
}

void serial_write(const char *s, size_t len)
{
	if (serial_len + len > sizeof(serial_buf))
		len = sizeof(serial_buf) - serial_len;
	memcpy(serial_buf + serial_len, s, len);
	serial_len += len;
}

static size_t fmt(char *buf, size_t size, const char *f, ...)
{
	__builtin_va_list ap;
	size_t n;

	__builtin_va_start(ap, f);
	n = guest_vsnprintf(buf, size, f, ap);
	__builtin_va_end(ap);
	return n;
}

START_TEST(test_fletcher64)
{
	uint8_t data[19];
	struct fletcher64 f = { 0, 0 }, g = { 0, 0 };
	uint64_t w0, w1, w2;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0x11 * (i + 1));
	fletcher64_words(&f, data, sizeof(data));
	memcpy(&w0, data, 8);
	memcpy(&w1, data + 8, 8);
	w2 = data[16] | (uint64_t)data[17] << 8 | (uint64_t)data[18] << 16;
	ck_assert_uint_eq(f.a, w0 + w1 + w2);
	ck_assert_uint_eq(f.b, w0 + (w0 + w1) + (w0 + w1 + w2));
	/* Chunks that are multiples of 8 compose. */
	fletcher64_words(&g, data, 16);
	fletcher64_words(&g, data + 16, 3);
	ck_assert_uint_eq(f.a, g.a);
	ck_assert_uint_eq(f.b, g.b);
	/* Order matters for b. */
	memcpy(data, &w1, 8);
	memcpy(data + 8, &w0, 8);
	g.a = g.b = 0;
	fletcher64_words(&g, data, sizeof(data));
	ck_assert_uint_eq(f.a, g.a);
	ck_assert_uint_ne(f.b, g.b);
	/* Empty input leaves the sum alone. */
	g.a = g.b = 7;
	fletcher64_words(&g, data, 0);
	ck_assert_uint_eq(g.a, 7);
	ck_assert_uint_eq(g.b, 7);
}
END_TEST

START_TEST(test_cmdline_value)
{
	const char *c = "console=ttyS0  bootinfo.action=reboot\tx=1 bootinfo.actionx=2 y";
	size_t len;
	const char *v;

	v = guest_cmdline_value(c, strlen(c), "bootinfo.action", &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 6);
	ck_assert(guest_word_eq(v, len, "reboot"));
	ck_assert(!guest_word_eq(v, len, "reboo"));
	ck_assert(!guest_word_eq(v, len, "rebootx"));
	ck_assert_ptr_null(guest_cmdline_value(c, strlen(c), "y", &len));
	ck_assert_ptr_null(guest_cmdline_value(c, strlen(c), "bootinfo", &len));
	v = guest_cmdline_value(c, strlen(c), "x", &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 1);
	/* Only len bytes are looked at. */
	ck_assert_ptr_null(guest_cmdline_value(c, 20, "bootinfo.action", &len));
	v = guest_cmdline_value("k=", 2, "k", &len);
	ck_assert_ptr_nonnull(v);	/* "k=": present, empty */
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_null(guest_cmdline_value("", 0, "k", &len));
}
END_TEST

START_TEST(test_printf)
{
	char buf[64];

	fmt(buf, sizeof(buf), "%s=%d|%u|%x|%016llx|%5u|%05d|%c|%%|%.*s",
	    "k", -42, 4000000000U, 0xbeef, 0x1234ULL, 7, -3, 'Z', 3, "abcdef");
	ck_assert_str_eq(buf, "k=-42|4000000000|beef|0000000000001234|    7|-0003|Z|%|abc");
	fmt(buf, sizeof(buf), "%llu %lld %zu", 18446744073709551615ULL,
	    (long long)INT64_MIN, (size_t)12);
	ck_assert_str_eq(buf, "18446744073709551615 -9223372036854775808 12");
	/* Truncation keeps the terminator. */
	ck_assert_uint_eq(fmt(buf, 5, "%s", "abcdefgh"), 4);
	ck_assert_str_eq(buf, "abcd");
	fmt(buf, sizeof(buf), "%s|%q", (char *)NULL);
	ck_assert_str_eq(buf, "(null)|%q");
	/* guest_printf streams through its buffer: long output arrives whole. */
	serial_len = 0;
	memset(buf, 'x', 63);
	buf[63] = 0;
	guest_printf("%s%s%s%s%s|", buf, buf, buf, buf, buf);
	ck_assert_uint_eq(serial_len, 5 * 63 + 1);
	ck_assert_int_eq(serial_buf[5 * 63], '|');
}
END_TEST

START_TEST(test_string)
{
	uint8_t a[40], b[40];
	size_t i;

	for (i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)i;
	guest_test_memset(b, 0xab, 37);
	for (i = 0; i < 37; i++)
		ck_assert_uint_eq(b[i], 0xab);
	guest_test_memcpy(b, a, 29);
	ck_assert_int_eq(memcmp(a, b, 29), 0);
	ck_assert_uint_eq(b[29], 0xab);
	/* Overlap both ways. */
	guest_test_memmove(a + 3, a, 30);
	for (i = 0; i < 30; i++)
		ck_assert_uint_eq(a[i + 3], i);
	guest_test_memmove(a, a + 3, 30);
	for (i = 0; i < 30; i++)
		ck_assert_uint_eq(a[i], i);
	ck_assert_int_lt(guest_test_memcmp("abc", "abd", 3), 0);
	ck_assert_int_gt(guest_test_memcmp("\xff", "\x01", 1), 0);
	ck_assert_int_eq(guest_test_memcmp("abc", "abd", 2), 0);
	ck_assert_uint_eq(guest_strnlen("abcdef", 4), 4);
	ck_assert_uint_eq(guest_strlen("abc"), 3);
	ck_assert_int_eq(guest_strncmp("abc", "abd", 2), 0);
	ck_assert_int_ne(guest_strncmp("abc", "abd", 3), 0);
}
END_TEST

/* ---- ACPI: tables in low memory ---- */

#define LOW_SIZE	0x10000
static uint8_t *low;

static uint64_t at(size_t off)
{
	return (uint64_t)(uintptr_t)(low + off);
}

static void fix_sum(uint8_t *p, size_t len, size_t sum_off)
{
	uint8_t s = 0;
	size_t i;

	p[sum_off] = 0;
	for (i = 0; i < len; i++)
		s += p[i];
	p[sum_off] = (uint8_t)-s;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void table(size_t off, const char *sig, uint32_t len)
{
	memset(low + off, 0, len);
	memcpy(low + off, sig, 4);
	put32(low + off + 4, len);
	low[off + 8] = 2;
	fix_sum(low + off, len, 9);
}

static void gas(uint8_t *p, uint8_t space, uint8_t width, uint64_t addr)
{
	p[0] = space;
	p[1] = width;
	put64(p + 4, addr);
}

/* RSDP at 0, XSDT at 0x100 -> FACP 0x200 -> DSDT 0x400; APIC at 0x800. */
static void build_tables(const uint8_t *dsdt_body, size_t body_len)
{
	uint8_t *x = low + 0x100, *f = low + 0x200, *r = low;

	memset(low, 0, LOW_SIZE);
	memset(low + 0x400, 0, 0x400);
	memcpy(low + 0x400, "DSDT", 4);
	put32(low + 0x404, (uint32_t)(36 + body_len));
	memcpy(low + 0x400 + 36, dsdt_body, body_len);
	fix_sum(low + 0x400, 36 + body_len, 9);

	table(0x200, "FACP", 276);
	put64(f + 140, at(0x400));
	put32(f + 112, FADT_F_HW_REDUCED | FADT_F_RESET_REG_SUP);
	gas(f + 116, ACPI_GAS_IO, 8, 0x602);
	f[128] = 0x0e;
	gas(f + 244, ACPI_GAS_IO, 8, 0x600);
	gas(f + 256, ACPI_GAS_IO, 8, 0x601);
	fix_sum(f, 276, 9);

	table(0x800, "APIC", 44);

	memset(x, 0, 52);
	memcpy(x, "XSDT", 4);
	put32(x + 4, 52);
	put64(x + 36, at(0x200));
	put64(x + 44, at(0x800));
	fix_sum(x, 52, 9);

	memcpy(r, "RSD PTR ", 8);
	r[15] = 2;
	put32(r + 20, 36);
	put64(r + 24, at(0x100));
	fix_sum(r, 20, 8);
	fix_sum(r, 36, 32);
}

static const uint8_t s5_byte[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
				   0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };

static void acpi_setup(void)
{
	low = mmap(NULL, LOW_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ck_assert_ptr_ne(low, MAP_FAILED);
	ck_assert_uint_lt((uintptr_t)low + LOW_SIZE, 1ULL << 32);
}

static void acpi_teardown(void)
{
	munmap(low, LOW_SIZE);
}

START_TEST(test_acpi_walk)
{
	struct acpi_root root;
	struct acpi_fadt f;

	build_tables(s5_byte, sizeof(s5_byte));
	ck_assert(acpi_rsdp_valid(at(0)));
	ck_assert(acpi_root_get(at(0), &root));
	ck_assert(root.xsdt);
	ck_assert_uint_eq(root.entries, 2);
	ck_assert_uint_eq(acpi_root_entry(&root, 1), at(0x800));
	ck_assert_uint_eq(acpi_root_entry(&root, 2), 0);
	ck_assert_uint_eq(acpi_find_table(&root, "APIC"), at(0x800));
	ck_assert_uint_eq(acpi_find_table(&root, "HPET"), 0);
	ck_assert(acpi_table_ok(at(0x200)));
	ck_assert(acpi_fadt_parse(at(0x200), &f));
	ck_assert_uint_eq(f.dsdt, at(0x400));
	ck_assert(f.has_sleep_regs);
	ck_assert_uint_eq(f.sleep_ctl.addr, 0x600);
	ck_assert_uint_eq(f.sleep_sts.addr, 0x601);
	ck_assert_uint_eq(f.reset.addr, 0x602);
	ck_assert_uint_eq(f.reset.space, ACPI_GAS_IO);
	ck_assert_uint_eq(f.reset_value, 0x0e);
	ck_assert_uint_eq(f.flags, FADT_F_HW_REDUCED | FADT_F_RESET_REG_SUP);
	ck_assert_int_eq(acpi_dsdt_s5(f.dsdt), 5);
	/* One flipped byte breaks the checksum. */
	low[0x210]++;
	ck_assert(!acpi_table_ok(at(0x200)));
	low[0x210]--;
	low[3]++;
	ck_assert(!acpi_rsdp_valid(at(0)));
}
END_TEST

START_TEST(test_acpi_rsdp_v1)
{
	struct acpi_root root;

	build_tables(s5_byte, sizeof(s5_byte));
	/* Revision 0: RSDT via the 32-bit pointer; 20-byte checksum only. */
	memset(low + 0x1000, 0, 44);
	memcpy(low + 0x1000, "RSDT", 4);
	put32(low + 0x1004, 44);
	put32(low + 0x1000 + 36, (uint32_t)at(0x200));
	put32(low + 0x1000 + 40, (uint32_t)at(0x800));
	fix_sum(low + 0x1000, 44, 9);
	low[15] = 0;
	put32(low + 16, (uint32_t)at(0x1000));
	memset(low + 20, 0xee, 16);	/* v2 fields are garbage now */
	fix_sum(low, 20, 8);
	ck_assert(acpi_rsdp_valid(at(0)));
	ck_assert(acpi_root_get(at(0), &root));
	ck_assert(!root.xsdt);
	ck_assert_uint_eq(root.entries, 2);
	ck_assert_uint_eq(acpi_find_table(&root, "FACP"), at(0x200));
}
END_TEST

START_TEST(test_acpi_hostile)
{
	struct acpi_root root;
	struct acpi_fadt f;

	build_tables(s5_byte, sizeof(s5_byte));
	/* Addresses at or past 4 GiB, and 0, are refused. */
	ck_assert(!acpi_rsdp_valid(0));
	ck_assert(!acpi_rsdp_valid(0xFFFFFFF0ULL));
	ck_assert(!acpi_rsdp_valid(1ULL << 40));
	ck_assert_uint_eq(acpi_table_len(0xFFFFFFE0ULL), 0);
	/* A length that runs past 4 GiB, or below the header size. */
	put32(low + 0x804, 0xFFFFFFFF);
	ck_assert_uint_eq(acpi_table_len(at(0x800)), 0);
	ck_assert(!acpi_table_ok(at(0x800)));
	put32(low + 0x804, 35);
	ck_assert_uint_eq(acpi_table_len(at(0x800)), 0);
	ck_assert(acpi_root_get(at(0), &root));
	ck_assert_uint_eq(acpi_find_table(&root, "APIC"), 0);
	/* An XSDT too short for any entry, and a v2 length below 36. */
	put32(low + 0x104, 36);
	ck_assert(acpi_root_get(at(0), &root));
	ck_assert_uint_eq(root.entries, 0);
	put32(low + 20, 20);
	fix_sum(low, 36, 32);
	ck_assert(!acpi_rsdp_valid(at(0)));
	/* A FADT too short for the sleep registers is parsed without them. */
	build_tables(s5_byte, sizeof(s5_byte));
	put32(low + 0x204, 244);
	ck_assert(acpi_fadt_parse(at(0x200), &f));
	ck_assert(!f.has_sleep_regs);
	put32(low + 0x204, 100);
	ck_assert(!acpi_fadt_parse(at(0x200), &f));
}
END_TEST

START_TEST(test_acpi_s5)
{
	static const uint8_t zero_op[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04,
					   0x02, 0x00, 0x00 };
	static const uint8_t long_pkglen[] = { 0x08, '\\', '_', 'S', '5', '_',
					       0x12, 0x40, 0x01, 0x02, 0x01, 0x01 };
	static const uint8_t truncated[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06 };
	static const uint8_t method[] = { 0x08, '_', 'S', '5', '_', 0x14, 0x06,
					  0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t none[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x04,
					0x01, 0x0a, 0x04, 0x00, 0x00 };

	build_tables(zero_op, sizeof(zero_op));
	ck_assert_int_eq(acpi_dsdt_s5(at(0x400)), 0);
	build_tables(long_pkglen, sizeof(long_pkglen));
	ck_assert_int_eq(acpi_dsdt_s5(at(0x400)), 1);
	build_tables(truncated, sizeof(truncated));
	ck_assert_int_eq(acpi_dsdt_s5(at(0x400)), -1);
	build_tables(method, sizeof(method));
	ck_assert_int_eq(acpi_dsdt_s5(at(0x400)), -1);
	build_tables(none, sizeof(none));
	ck_assert_int_eq(acpi_dsdt_s5(at(0x400)), -1);
	ck_assert_int_eq(acpi_dsdt_s5(0), -1);
}
END_TEST

START_TEST(test_acpi_find_rsdp)
{
	const char *src = NULL;

	build_tables(s5_byte, sizeof(s5_byte));
	ck_assert_uint_eq(acpi_find_rsdp(at(0), &src), at(0));
	ck_assert_str_eq(src, "hint");
}
END_TEST

static Suite *guest_lib_suite(void)
{
	Suite *s = suite_create("guest_lib");
	TCase *tc = tcase_create("core");
	TCase *acpi = tcase_create("acpi");

	tcase_add_test(tc, test_fletcher64);
	tcase_add_test(tc, test_cmdline_value);
	tcase_add_test(tc, test_printf);
	tcase_add_test(tc, test_string);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(acpi, acpi_setup, acpi_teardown);
	tcase_add_test(acpi, test_acpi_walk);
	tcase_add_test(acpi, test_acpi_rsdp_v1);
	tcase_add_test(acpi, test_acpi_hostile);
	tcase_add_test(acpi, test_acpi_s5);
	tcase_add_test(acpi, test_acpi_find_rsdp);
	suite_add_tcase(s, acpi);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(guest_lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
