// SPDX-License-Identifier: MIT
/*
 * The newc cpio writer: byte-exact headers, padding, the trailer, counting
 * equal to writing, overflow and refused entries.  A small reader here
 * walks the archive back the way the kernel's unpacker does.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cpio.h"
#include "tests/unit/unit_main.h"

struct entry {
	char name[64];
	unsigned int mode, size, rmaj, rmin, nlink;
	const uint8_t *data;
};

static unsigned int hex8(const uint8_t *p)
{
	char s[9];

	memcpy(s, p, 8);
	s[8] = 0;
	return (unsigned int)strtoul(s, NULL, 16);
}

/* Parse the entry at *pos; false at the trailer. */
static bool next_entry(const uint8_t *buf, size_t len, size_t *pos,
		       struct entry *e)
{
	const uint8_t *h = buf + *pos;
	unsigned int namesize;

	ck_assert_uint_le(*pos + CPIO_NEWC_HEADER_SIZE, len);
	ck_assert_int_eq(memcmp(h, "070701", 6), 0);
	e->mode = hex8(h + 14);
	e->nlink = hex8(h + 38);
	e->size = hex8(h + 54);
	e->rmaj = hex8(h + 78);
	e->rmin = hex8(h + 86);
	namesize = hex8(h + 94);
	ck_assert_uint_eq(hex8(h + 102), 0);		/* check */
	ck_assert_uint_lt(namesize, sizeof(e->name));
	memcpy(e->name, h + CPIO_NEWC_HEADER_SIZE, namesize);
	ck_assert_int_eq(e->name[namesize - 1], 0);
	*pos += (CPIO_NEWC_HEADER_SIZE + namesize + 3) & ~3u;
	e->data = buf + *pos;
	*pos += (e->size + 3) & ~3u;
	ck_assert_uint_le(*pos, len);
	return strcmp(e->name, "TRAILER!!!") != 0;
}

static void build(struct cpio_writer *w)
{
	cpio_add_dir(w, "dev", 0755);
	cpio_add_chardev(w, "dev/console", 0600, 5, 1);
	cpio_add_file(w, "init", 0755, "#!/bin/sh\n", 10);
	cpio_add_file(w, "empty", 0644, NULL, 0);
	cpio_add(w, "link", 0120777, "init", 4, 0, 0);
	cpio_finish(w);
}

START_TEST(test_archive_reads_back)
{
	struct cpio_writer w = CPIO_WRITER_INIT(NULL, 0);
	struct entry e;
	size_t pos = 0;
	uint8_t *buf;

	build(&w);
	ck_assert(cpio_ok(&w));
	ck_assert_uint_eq(w.len % 4, 0);
	buf = malloc(w.len);
	w = CPIO_WRITER_INIT(buf, w.len);
	build(&w);
	ck_assert(cpio_ok(&w));

	ck_assert(next_entry(buf, w.len, &pos, &e));
	ck_assert_str_eq(e.name, "dev");
	ck_assert_uint_eq(e.mode, 040755);
	ck_assert_uint_eq(e.nlink, 2);
	ck_assert(next_entry(buf, w.len, &pos, &e));
	ck_assert_str_eq(e.name, "dev/console");
	ck_assert_uint_eq(e.mode, 020600);
	ck_assert_uint_eq(e.rmaj, 5);
	ck_assert_uint_eq(e.rmin, 1);
	ck_assert(next_entry(buf, w.len, &pos, &e));
	ck_assert_str_eq(e.name, "init");
	ck_assert_uint_eq(e.mode, 0100755);
	ck_assert_uint_eq(e.size, 10);
	ck_assert_int_eq(memcmp(e.data, "#!/bin/sh\n", 10), 0);
	ck_assert(next_entry(buf, w.len, &pos, &e));
	ck_assert_str_eq(e.name, "empty");
	ck_assert_uint_eq(e.size, 0);
	ck_assert(next_entry(buf, w.len, &pos, &e));
	ck_assert_str_eq(e.name, "link");
	ck_assert_int_eq(memcmp(e.data, "init", 4), 0);
	ck_assert(!next_entry(buf, w.len, &pos, &e));
	ck_assert_uint_eq(pos, w.len);
	free(buf);
}
END_TEST

/* The first header, byte for byte, as GNU cpio -H newc writes it
 * (ino 1, mode 040755, nlink 2, namesize 4, the rest 0). */
START_TEST(test_header_bytes)
{
	static const char want[] =
		"070701" "00000001" "000041ed" "00000000" "00000000"
		"00000002" "00000000" "00000000" "00000000" "00000000"
		"00000000" "00000000" "00000004" "00000000" "dev\0" "\0\0";
	uint8_t buf[128];
	struct cpio_writer w = CPIO_WRITER_INIT(buf, sizeof(buf));

	cpio_add_dir(&w, "dev", 0755);
	ck_assert(cpio_ok(&w));
	ck_assert_uint_eq(w.len, 116);	/* 110 + 4, padded to 4 */
	ck_assert_int_eq(memcmp(buf, want, 116), 0);
}
END_TEST

START_TEST(test_overflow_and_bad_entries)
{
	uint8_t buf[200];
	struct cpio_writer w = CPIO_WRITER_INIT(buf, sizeof(buf));

	memset(buf, 0xaa, sizeof(buf));
	cpio_add_file(&w, "a", 0644, "x", 1);
	ck_assert(cpio_ok(&w));
	cpio_add_file(&w, "b", 0644, buf, 100);	/* does not fit */
	ck_assert(!cpio_ok(&w));
	ck_assert(w.overflow);
	ck_assert_uint_le(w.len, sizeof(buf));

	w = CPIO_WRITER_INIT(NULL, 0);
	cpio_add_file(&w, "/abs", 0644, NULL, 0);
	ck_assert(w.bad_entry);
	w = CPIO_WRITER_INIT(NULL, 0);
	cpio_add_file(&w, "", 0644, NULL, 0);
	ck_assert(w.bad_entry);
	w = CPIO_WRITER_INIT(NULL, 0);
	cpio_add_file(&w, "nodata", 0644, NULL, 5);
	ck_assert(w.bad_entry);
	w = CPIO_WRITER_INIT(NULL, 0);
	cpio_add(&w, "notype", 0644, NULL, 0, 0, 0);
	ck_assert(w.bad_entry);
	ck_assert_uint_eq(w.len, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cpio");
	TCase *tc = tcase_create("newc");

	tcase_add_test(tc, test_archive_reads_back);
	tcase_add_test(tc, test_header_bytes);
	tcase_add_test(tc, test_overflow_and_bad_entries);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
