// SPDX-License-Identifier: MIT
/*
 * The snapshot file format and the device state stream: what is written
 * parses back identically, and every damaged, truncated or foreign file
 * is refused with an error instead of being trusted.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/state_stream.h"
#include "tests/unit/unit_main.h"
#include "vmm/snapshot_format.h"

#define MEM (16 * SNAP_PAGE_SIZE)

static const char cpu0[] = "registers of vcpu 0";
static const char cpu1[] = "registers of vcpu 1, longer";
static const char dev[] = { 1, 2, 3, 4, 5 };

static struct snap_index idx;

static uint8_t *build(size_t *len)
{
	static struct snap_builder b;
	uint8_t *buf;
	int ret;

	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(snap_builder_add(&b, "vcpu", 0, cpu0, sizeof(cpu0)), 0);
	ck_assert_int_eq(snap_builder_add(&b, "vcpu", 1, cpu1, sizeof(cpu1)), 0);
	ck_assert_int_eq(snap_builder_add(&b, "dev:serial", 0, dev, sizeof(dev)), 0);
	ck_assert_int_eq(snap_builder_add(&b, "empty", 0, NULL, 0), 0);
	buf = snap_build(&b, MEM, len, &ret);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(ret, 0);
	return buf;
}

static int parse(const uint8_t *buf, size_t len, uint64_t file_size)
{
	char err[256] = "";
	int ret = snap_parse(&idx, buf, len, file_size, err, sizeof(err));

	if (ret)
		ck_assert_msg(err[0] && !strchr(err, '\n'), "one error line");
	return ret;
}

/* Rewrite the header's CRC after a test changed a field on purpose. */
static void reseal(uint8_t *buf)
{
	struct snap_header h;

	memcpy(&h, buf, sizeof(h));
	h.header_crc = snap_crc32(&h, offsetof(struct snap_header, header_crc));
	memcpy(buf, &h, sizeof(h));
}

START_TEST(test_round_trip)
{
	size_t len;
	uint8_t *buf = build(&len);
	const uint8_t *p;
	uint64_t size;

	ck_assert_uint_eq(len % SNAP_PAGE_SIZE, 0);
	ck_assert_int_eq(parse(buf, len, len + MEM), 0);
	ck_assert_uint_eq(snap_meta_size(buf, len), idx.hdr.meta_size);
	ck_assert_uint_eq(idx.nr, 4);
	ck_assert_uint_eq(idx.hdr.mem_offset, len);
	ck_assert_uint_eq(idx.hdr.mem_size, MEM);
	p = snap_find(&idx, "vcpu", 1, &size);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(size, sizeof(cpu1));
	ck_assert_mem_eq(p, cpu1, sizeof(cpu1));
	p = snap_find(&idx, "dev:serial", 0, &size);
	ck_assert_mem_eq(p, dev, sizeof(dev));
	ck_assert_ptr_nonnull(snap_find(&idx, "empty", 0, &size));
	ck_assert_uint_eq(size, 0);
	ck_assert_ptr_null(snap_find(&idx, "vcpu", 2, &size));
	free(buf);
}
END_TEST

START_TEST(test_builder_refuses_bad_names)
{
	static struct snap_builder b;

	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(snap_builder_add(&b, "", 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(snap_builder_add(&b, "Upper", 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(snap_builder_add(&b, "a-name-that-is-far-too-long", 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(snap_builder_add(&b, "ok", 0, NULL, 0), 0);
	ck_assert_int_eq(snap_builder_add(&b, "ok", 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(snap_builder_add(&b, "ok", 1, NULL, 0), 0);
}
END_TEST

/* Every single flipped byte of the state part is caught by a CRC or a check. */
START_TEST(test_every_flipped_byte_refused)
{
	size_t len;
	uint8_t *buf = build(&len);
	struct snap_header h;

	memcpy(&h, buf, sizeof(h));
	for (size_t i = 0; i < h.meta_size; i++) {
		buf[i] ^= 0x40;
		ck_assert_msg(parse(buf, len, len + MEM) != 0, "byte %zu", i);
		buf[i] ^= 0x40;
	}
	ck_assert_int_eq(parse(buf, len, len + MEM), 0);
	free(buf);
}
END_TEST

START_TEST(test_other_version_refused)
{
	size_t len;
	uint8_t *buf = build(&len);
	struct snap_header h;
	char err[256];

	memcpy(&h, buf, sizeof(h));
	h.version = 2;
	memcpy(buf, &h, sizeof(h));
	reseal(buf);
	ck_assert_int_eq(snap_parse(&idx, buf, len, len + MEM, err, sizeof(err)),
			 -EPROTONOSUPPORT);
	ck_assert_ptr_nonnull(strstr(err, "version 2"));
	ck_assert_uint_eq(snap_meta_size(buf, len), 0);
	free(buf);
}
END_TEST

START_TEST(test_truncated_file_refused)
{
	size_t len;
	uint8_t *buf = build(&len);

	/* RAM beyond the end of the file would SIGBUS when touched. */
	ck_assert_int_ne(parse(buf, len, len + MEM - 1), 0);
	ck_assert_int_ne(parse(buf, len, len), 0);
	/* Less than the state part in the buffer. */
	ck_assert_int_ne(parse(buf, 100, len + MEM), 0);
	ck_assert_int_ne(parse(buf, 10, len + MEM), 0);
	free(buf);
}
END_TEST

START_TEST(test_memory_range_checked)
{
	size_t len;
	uint8_t *buf = build(&len);
	struct snap_header h, orig;

	memcpy(&orig, buf, sizeof(orig));
	h = orig;
	h.mem_offset += 1;		/* not page-aligned */
	memcpy(buf, &h, sizeof(h));
	reseal(buf);
	ck_assert_int_ne(parse(buf, len, len + 2 * MEM), 0);
	h = orig;
	h.mem_size = UINT64_MAX & ~(uint64_t)(SNAP_PAGE_SIZE - 1); /* overflow */
	memcpy(buf, &h, sizeof(h));
	reseal(buf);
	ck_assert_int_ne(parse(buf, len, UINT64_MAX), 0);
	h = orig;
	h.mem_offset = 0;		/* RAM over the state */
	memcpy(buf, &h, sizeof(h));
	reseal(buf);
	ck_assert_int_ne(parse(buf, len, len + MEM), 0);
	h = orig;
	h.nr_sections = SNAP_MAX_SECTIONS + 1;
	memcpy(buf, &h, sizeof(h));
	reseal(buf);
	ck_assert_int_ne(parse(buf, len, len + MEM), 0);
	free(buf);
}
END_TEST

START_TEST(test_stream_round_trip)
{
	struct state_writer w;
	struct state_reader r;
	uint8_t blob[3] = { 7, 8, 9 }, back[3];
	const void *ref;
	uint32_t n;

	state_writer_init(&w);
	state_put_u8(&w, 0xab);
	state_put_u16(&w, 0x1234);
	state_put_u32(&w, 0xdeadbeef);
	state_put_u64(&w, 0x0102030405060708ull);
	state_put_blob(&w, blob, sizeof(blob));
	state_put_blob(&w, "xyz", 3);
	ck_assert(!w.bad);
	ck_assert_uint_eq(w.buf[1], 0x34);	/* little-endian */

	state_reader_init(&r, w.buf, w.len);
	ck_assert_uint_eq(state_get_u8(&r), 0xab);
	ck_assert_uint_eq(state_get_u16(&r), 0x1234);
	ck_assert_uint_eq(state_get_u32(&r), 0xdeadbeef);
	ck_assert_uint_eq(state_get_u64(&r), 0x0102030405060708ull);
	state_get_blob(&r, back, sizeof(back));
	ck_assert_mem_eq(back, blob, 3);
	ref = state_get_blob_ref(&r, 16, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(ref, "xyz", 3);
	ck_assert(state_reader_done(&r));
	state_writer_free(&w);
}
END_TEST

START_TEST(test_stream_bounded)
{
	uint8_t buf[6] = { 4, 0, 0, 0, 1, 2 };	/* a blob claiming 4 bytes, 2 there */
	struct state_reader r;
	uint8_t out[4] = { 0xff, 0xff, 0xff, 0xff };
	uint32_t n;

	state_reader_init(&r, buf, sizeof(buf));
	state_get_blob(&r, out, 4);
	ck_assert(r.bad);
	ck_assert_uint_eq(out[0] | out[1] | out[2] | out[3], 0);
	ck_assert_uint_eq(state_get_u64(&r), 0);	/* stays bad */
	ck_assert(!state_reader_done(&r));

	state_reader_init(&r, buf, sizeof(buf));
	state_get_blob(&r, out, 3);		/* wrong length: refused */
	ck_assert(!state_reader_done(&r));

	state_reader_init(&r, buf, sizeof(buf));
	ck_assert_ptr_null(state_get_blob_ref(&r, 3, &n));	/* over max */
	ck_assert_uint_eq(n, 0);

	state_reader_init(&r, buf, sizeof(buf));
	state_get_u32(&r);
	ck_assert(!state_reader_done(&r));	/* bytes left over */
}
END_TEST

static Suite *snapshot_format_suite(void)
{
	Suite *s = suite_create("snapshot_format");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_builder_refuses_bad_names);
	tcase_add_test(tc, test_every_flipped_byte_refused);
	tcase_add_test(tc, test_other_version_refused);
	tcase_add_test(tc, test_truncated_file_refused);
	tcase_add_test(tc, test_memory_range_checked);
	tcase_add_test(tc, test_stream_round_trip);
	tcase_add_test(tc, test_stream_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(snapshot_format_suite());
}
